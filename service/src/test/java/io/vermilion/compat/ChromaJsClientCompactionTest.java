package io.vermilion.compat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vermilion.api.TinyCompactionProfile;

/** The official JavaScript client's scenarios while the server compacts every few writes (objects on S3). */
@QuarkusTest
@TestProfile(TinyCompactionProfile.class)
class ChromaJsClientCompactionTest extends ChromaJsClientTest {}
