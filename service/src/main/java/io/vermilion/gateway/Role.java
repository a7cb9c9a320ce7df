package io.vermilion.gateway;

/** What an API key may do inside its scope. Each role includes the ones below it. */
public enum Role {
    /** get, query, count, list and read collections and databases. */
    READ_ONLY("read_only"),
    /** also writes records and creates, modifies and deletes collections and databases. */
    READ_WRITE("read_write"),
    /** also manages the tenant's API keys; the bootstrap key alone may create tenants. */
    ADMIN("admin");

    private final String wire;

    Role(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public boolean includes(Role other) {
        return ordinal() >= other.ordinal();
    }

    public static Role fromWire(String wire) {
        for (Role r : values()) {
            if (r.wire.equals(wire)) {
                return r;
            }
        }
        return null;
    }
}
