package io.vermilion.embedding;

import java.nio.file.Path;

/**
 * Where the embedding model's native libraries (ONNX Runtime, the Hugging Face tokenizer) are unpacked from their
 * jars: below {@code java.io.tmpdir}, which the container image points at its one writable volume (the root file
 * system is read-only there). Never downloads: DJL is put offline. Settings given on the command line win.
 * A native library loads into one class loader per JVM only, so a second class loader in the same JVM (a test JVM
 * that starts several applications) unpacks into a folder of its own.
 */
final class NativeLibraries {

    private NativeLibraries() {}

    // Not under "vermilion.": the configuration refuses system properties there that map to no setting.
    private static final String FIRST_LOADER = "io.vermilion.embedding.first-native-loader";

    static synchronized void useWritableFolder() {
        Path base = Path.of(System.getProperty("java.io.tmpdir"), "vermilion-native");
        String given = System.getProperty("DJL_CACHE_DIR");
        boolean ours = given == null || Path.of(given).startsWith(base);
        if (ours && System.getenv("DJL_CACHE_DIR") == null) {
            String loader = Integer.toHexString(System.identityHashCode(NativeLibraries.class.getClassLoader()));
            String first = System.getProperty(FIRST_LOADER);
            if (first == null) {
                System.setProperty(FIRST_LOADER, loader);
                first = loader;
            }
            System.setProperty("DJL_CACHE_DIR", base.resolve(first.equals(loader) ? "djl" : "djl-" + loader).toString());
        }
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }
}
