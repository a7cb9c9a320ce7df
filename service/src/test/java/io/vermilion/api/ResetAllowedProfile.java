package io.vermilion.api;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** The service with reset allowed ({@code vermilion.allow-reset=true}), auth off: how Chroma's own suite runs it. */
public class ResetAllowedProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("vermilion.allow-reset", "true");
    }
}
