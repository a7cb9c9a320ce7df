package io.vermilion.embedding;

import java.nio.file.Path;

/**
 * Where the embedding model's native libraries (ONNX Runtime, the Hugging Face tokenizer) are unpacked from their
 * jars: below {@code java.io.tmpdir}, which the container image points at its one writable volume (the root file
 * system is read-only there). Never downloads: DJL is put offline. Settings given on the command line win.
 */
final class NativeLibraries {

    private NativeLibraries() {}

    static synchronized void useWritableFolder() {
        Path base = Path.of(System.getProperty("java.io.tmpdir"), "vermilion-native");
        if (System.getProperty("DJL_CACHE_DIR") == null && System.getenv("DJL_CACHE_DIR") == null) {
            System.setProperty("DJL_CACHE_DIR", base.resolve("djl").toString());
        }
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }
}
