package io.vermilion.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The cloud profile's rule ({@code QUARKUS_PROFILE=cloud}): replicas share an external PostgreSQL catalog and an S3
 * object store, so the single-machine defaults - the embedded PostgreSQL and the local object store - are refused at
 * startup, each with a message naming the setting that is missing.
 */
public final class CloudProfile {

    /** The profile's name, as given in {@code quarkus.profile} / {@code QUARKUS_PROFILE}. */
    public static final String NAME = "cloud";

    static final String EMBEDDED_CATALOG = "The cloud profile needs an external PostgreSQL catalog: set"
            + " VERMILION_CATALOG_URL (vermilion.catalog.url, postgresql://host:port/db) with VERMILION_CATALOG_USER"
            + " and VERMILION_CATALOG_PASSWORD; the embedded PostgreSQL serves one machine only";
    static final String LOCAL_STORE = "The cloud profile needs S3 object storage: set VERMILION_STORAGE_TYPE=s3"
            + " (vermilion.storage.type) and VERMILION_STORAGE_BUCKET; the local object store serves one machine only";

    private CloudProfile() {}

    /** Whether {@code profiles} (a comma list, as Quarkus takes it; may be null) includes the cloud profile. */
    public static boolean active(String profiles) {
        if (profiles == null) {
            return false;
        }
        for (String profile : profiles.split(",")) {
            if (profile.trim().equals(NAME)) {
                return true;
            }
        }
        return false;
    }

    /** What the cloud profile refuses in this configuration; empty when it may start. */
    public static List<String> problems(boolean externalCatalog, String storageType) {
        List<String> problems = new ArrayList<>();
        if (!externalCatalog) {
            problems.add(EMBEDDED_CATALOG);
        }
        if (!"s3".equals(storageType)) {
            problems.add(LOCAL_STORE);
        }
        return problems;
    }

    /** Fails with every problem in one message when the cloud profile is active and refuses the configuration. */
    public static void check(boolean cloud, boolean externalCatalog, String storageType) {
        if (!cloud) {
            return;
        }
        List<String> problems = problems(externalCatalog, storageType);
        if (!problems.isEmpty()) {
            throw new IllegalStateException(String.join(". ", problems));
        }
    }
}
