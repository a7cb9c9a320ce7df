package io.vermilion.gateway;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** The service with auth on: a bootstrap admin key is configured, as in the cloud configuration. */
public class AuthProfile implements QuarkusTestProfile {

    public static final String ADMIN_KEY = "test-bootstrap-admin-key";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("vermilion.admin-key", ADMIN_KEY);
    }
}
