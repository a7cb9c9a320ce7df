package io.vermilion.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Role names as configured in {@code vermilion.roles}: known ones read in any case, unknown ones refused clearly. */
class ReplicaRoleTest {

    private final ReplicaRole.Parser parser = new ReplicaRole.Parser();

    @Test
    void knownRoleNamesAreRead() {
        assertEquals(ReplicaRole.API, parser.convert("api"));
        assertEquals(ReplicaRole.COMPACTOR, parser.convert(" Compactor "));
    }

    @Test
    void unknownRoleNameIsRefusedNamingTheSettingAndTheValidRoles() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parser.convert("gateway"));
        assertEquals("Unknown role 'gateway' in vermilion.roles (VERMILION_ROLES): the roles are api and compactor,"
                + " e.g. VERMILION_ROLES=api,compactor", e.getMessage());
    }
}
