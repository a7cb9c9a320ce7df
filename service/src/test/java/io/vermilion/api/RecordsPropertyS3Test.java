package io.vermilion.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vermilion.storage.S3Profile;

/** {@link RecordsPropertyTest}, property test and regressions alike, with the log on a real S3-compatible server. */
@QuarkusTest
@TestProfile(S3Profile.class)
class RecordsPropertyS3Test extends RecordsPropertyTest {}
