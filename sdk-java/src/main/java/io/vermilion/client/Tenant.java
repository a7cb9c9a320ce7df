package io.vermilion.client;

/** A tenant: the top of the tenant → database → collection hierarchy. */
public record Tenant(String name) {}
