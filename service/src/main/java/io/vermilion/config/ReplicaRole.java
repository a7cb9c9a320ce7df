package io.vermilion.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * What one replica of the image does ({@code vermilion.roles}, {@code VERMILION_ROLES}): {@code api} serves Chroma's
 * HTTP API (gateway and query executor), {@code compactor} runs compaction, version garbage collection and the log
 * sweep. A replica may hold both (the default). Every replica serves health and metrics.
 */
public enum ReplicaRole {
    API,
    COMPACTOR;

    /** The role's name as it is configured: {@code api}, {@code compactor}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads one configured role name; an unknown name fails startup with a message listing the valid ones. */
    public static final class Parser implements Converter<ReplicaRole> {
        @Override
        public ReplicaRole convert(String value) {
            String name = value == null ? "" : value.trim();
            for (ReplicaRole role : values()) {
                if (role.configName().equalsIgnoreCase(name)) {
                    return role;
                }
            }
            throw new IllegalArgumentException("Unknown role '" + name + "' in vermilion.roles (VERMILION_ROLES): the"
                    + " roles are " + Arrays.stream(values()).map(ReplicaRole::configName)
                            .collect(Collectors.joining(" and ")) + ", e.g. VERMILION_ROLES=api,compactor");
        }
    }
}
