package io.vermilion.sysdb;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;

/** The service on its embedded, supervised catalog (instead of the tests' shared PostgreSQL). */
public class EmbeddedCatalogProfile implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(EmbeddedCatalogResource.class));
    }

    @Override
    public boolean disableGlobalTestResources() {
        return true;
    }
}
