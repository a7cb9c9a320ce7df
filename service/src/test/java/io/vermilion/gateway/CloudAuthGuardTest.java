package io.vermilion.gateway;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CloudAuthGuardTest {

    @Test
    void cloudProfileWithoutAdminKeyRefusesToStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CloudAuthGuard.requireAdminKey(true, false));
        assertEquals("The cloud configuration (QUARKUS_PROFILE=cloud) runs with auth on: set VERMILION_ADMIN_KEY to the "
                + "bootstrap admin key", e.getMessage());
    }

    @Test
    void otherwiseAuthIsTheOperatorsChoice() {
        assertDoesNotThrow(() -> CloudAuthGuard.requireAdminKey(true, true));
        assertDoesNotThrow(() -> CloudAuthGuard.requireAdminKey(false, false));
        assertDoesNotThrow(() -> CloudAuthGuard.requireAdminKey(false, true));
    }
}
