package io.vermilion.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The cloud profile refuses the single-machine defaults, naming the missing setting; other profiles keep them. */
class CloudProfileTest {

    @Test
    void cloudProfileIsFoundInAProfileList() {
        assertTrue(CloudProfile.active("cloud"));
        assertTrue(CloudProfile.active("prod, cloud"));
        assertFalse(CloudProfile.active("prod"));
        assertFalse(CloudProfile.active("cloudy"));
        assertFalse(CloudProfile.active(null));
    }

    @Test
    void cloudProfileRefusesTheEmbeddedCatalogAndTheLocalStoreNamingTheirSettings() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> CloudProfile.check(true, false, "local"));
        assertEquals("The cloud profile needs an external PostgreSQL catalog: set VERMILION_CATALOG_URL"
                + " (vermilion.catalog.url, postgresql://host:port/db) with VERMILION_CATALOG_USER and"
                + " VERMILION_CATALOG_PASSWORD; the embedded PostgreSQL serves one machine only. The cloud profile"
                + " needs S3 object storage: set VERMILION_STORAGE_TYPE=s3 (vermilion.storage.type) and"
                + " VERMILION_STORAGE_BUCKET; the local object store serves one machine only", e.getMessage());
        assertEquals(List.of(CloudProfile.LOCAL_STORE), CloudProfile.problems(true, "local"));
        assertEquals(List.of(CloudProfile.EMBEDDED_CATALOG), CloudProfile.problems(false, "s3"));
    }

    @Test
    void cloudProfileStartsOnExternalCatalogAndS3() {
        assertDoesNotThrow(() -> CloudProfile.check(true, true, "s3"));
    }

    @Test
    void otherProfilesKeepTheSingleMachineDefaults() {
        assertDoesNotThrow(() -> CloudProfile.check(false, false, "local"));
    }
}
