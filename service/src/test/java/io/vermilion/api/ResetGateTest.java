package io.vermilion.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class ResetGateTest {

    private static final String OFF = "Reset is disabled by config: set vermilion.allow-reset=true "
            + "(VERMILION_ALLOW_RESET=true) to allow deleting all data";
    private static final String AUTH = "Reset is disabled by config while auth is on: set "
            + "vermilion.allow-reset-with-auth=true (VERMILION_ALLOW_RESET_WITH_AUTH=true) as well to allow deleting "
            + "every tenant's data and keys";

    @Test
    void resetIsRefusedUnlessAllowed() {
        assertEquals(OFF, ResetGate.refusal(false, false, false));
        assertEquals(OFF, ResetGate.refusal(false, true, true));
        assertNull(ResetGate.refusal(true, false, false));
    }

    @Test
    void withAuthOnResetAlsoNeedsItsOwnSetting() {
        assertEquals(AUTH, ResetGate.refusal(true, false, true));
        assertNull(ResetGate.refusal(true, true, true));
    }
}
