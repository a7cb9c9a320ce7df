package io.vermilion.gateway;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * Auth on (the cloud configuration) with tiny rate limits, and one quota default changed by configuration. A key's
 * bucket holds 3 requests and regains one every 20 s, a tenant's holds 6 and regains one every 10 s, so a test's few
 * requests never see a refill. The bootstrap key, which the tests set up with, is not rate limited.
 */
public class GatewayLimitsProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "vermilion.admin-key", AuthProfile.ADMIN_KEY,
                "vermilion.rate-limit.per-key", "0.05",
                "vermilion.rate-limit.per-tenant", "0.1",
                "vermilion.rate-limit.burst", "60",
                "vermilion.quota.num_metadata_keys", "4");
    }
}
