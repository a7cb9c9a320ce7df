package io.vermilion.storage;

/** One entry of {@link ObjectStore#list}: an object's key (relative to the store) and its size in bytes. */
public record ObjectInfo(String key, long size) {}
