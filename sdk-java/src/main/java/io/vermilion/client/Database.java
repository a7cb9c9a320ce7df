package io.vermilion.client;

import java.util.UUID;

/** A database inside a tenant. */
public record Database(UUID id, String name, String tenant) {}
