package io.vermilion.api;

import static io.restassured.RestAssured.given;
import static io.vermilion.api.ApiTestSupport.assertError;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vermilion.sysdb.PostgresResource;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class BodyLimitTest {

    @Test
    void bodyOverFortyMebibytesIs413InChromasFormat() {
        String id = given().contentType("application/json").body("{\"name\":\"" + ApiTestSupport.uniqueName("big") + "\"}")
                .post("/api/v2/tenants/default_tenant/databases/default_database/collections")
                .then().statusCode(200).extract().path("id");
        byte[] body = new byte[41 << 20]; // 41 MiB of JSON whitespace: over the limit before it is parsed
        Arrays.fill(body, (byte) ' ');
        assertError(given().contentType("application/json").body(body)
                        .post("/api/v2/tenants/default_tenant/databases/default_database/collections/" + id + "/add")
                        .then().header("Connection", "close"),
                413, "ChromaError", "Failed to buffer the request body: length limit exceeded");
        given().get("/api/v2/tenants/default_tenant/databases/default_database/collections/" + id + "/count")
                .then().statusCode(200); // the server goes on serving
    }
}
