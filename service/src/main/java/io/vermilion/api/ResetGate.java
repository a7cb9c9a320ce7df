package io.vermilion.api;

/**
 * Decides whether {@code POST /api/v2/reset} may run: only when {@code vermilion.allow-reset} is on and, with auth on,
 * {@code vermilion.allow-reset-with-auth} too. A refusal names the setting that would allow it.
 */
final class ResetGate {

    private ResetGate() {}

    /** Null when reset may run, else the refusal's message. */
    static String refusal(boolean allowReset, boolean allowResetWithAuth, boolean authEnabled) {
        if (!allowReset) {
            return "Reset is disabled by config: set vermilion.allow-reset=true (VERMILION_ALLOW_RESET=true) to allow "
                    + "deleting all data";
        }
        if (authEnabled && !allowResetWithAuth) {
            return "Reset is disabled by config while auth is on: set vermilion.allow-reset-with-auth=true "
                    + "(VERMILION_ALLOW_RESET_WITH_AUTH=true) as well to allow deleting every tenant's data and keys";
        }
        return null;
    }
}
