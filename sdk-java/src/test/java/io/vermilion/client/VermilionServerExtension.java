package io.vermilion.client;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Gives test classes a running server: {@code @ExtendWith(VermilionServerExtension.class)}, then take a
 * {@link VermilionServer} parameter (e.g. in a {@code @BeforeAll} method). One server serves every test class of the
 * run; it is stopped when the run ends, and its data and log are kept (and the log's tail printed) if a test failed.
 */
final class VermilionServerExtension implements BeforeAllCallback, ParameterResolver, TestWatcher {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(VermilionServerExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        server(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == VermilionServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return server(context);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        server(context).keepData();
    }

    private static VermilionServer server(ExtensionContext context) {
        // In the root store: started once for the whole run, closed (AutoCloseable) when the run ends.
        return context.getRoot().getStore(NAMESPACE).computeIfAbsent(VermilionServer.class, key -> {
            try {
                return VermilionServer.start();
            } catch (Exception e) {
                throw new IllegalStateException("could not start the Vermilion server: " + e.getMessage(), e);
            }
        }, VermilionServer.class);
    }
}
