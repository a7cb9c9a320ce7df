package io.vermilion.compat;

import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the Node test files of {@code compat/js} (the official Chroma JS client) against a live server and returns
 * node's exit code and output; installs the pinned npm packages first when they are missing. {@link #exec} also
 * serves the Python client's runner.
 */
public final class NodeClientRunner {

    public record Result(int exitCode, String output) {}

    private NodeClientRunner() {}

    static Path compatDir() {
        String root = System.getProperty("repo.root", "..");
        return Path.of(root).toAbsolutePath().normalize().resolve("compat/js");
    }

    static Result run(URL server, String... testFiles) throws IOException, InterruptedException {
        return run(server, Map.of(), testFiles);
    }

    /** Runs the given test files (all of them when none is named) with extra environment variables. */
    public static Result run(URL server, Map<String, String> env, String... testFiles) throws IOException, InterruptedException {
        Path dir = compatDir();
        if (!Files.isDirectory(dir.resolve("node_modules/chromadb"))) {
            Result install = exec(dir, List.of("npm", "ci", "--no-audit", "--no-fund"), null, Map.of());
            if (install.exitCode() != 0) {
                return install;
            }
        }
        List<String> command = new ArrayList<>(List.of("node", "--test", "--test-reporter=spec"));
        if (testFiles.length == 0) {
            try (Stream<Path> files = Files.list(dir)) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".test.mjs")).sorted()
                        .forEach(command::add);
            }
        } else {
            command.addAll(List.of(testFiles));
        }
        String base = server.toString().replaceAll("/$", "");
        return exec(dir, command, base, env);
    }

    /** Runs a command in {@code dir} (with VERMILION_URL set when a server is given), echoing and returning its output. */
    static Result exec(Path dir, List<String> command, String serverUrl, Map<String, String> env)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        if (serverUrl != null) {
            pb.environment().put("VERMILION_URL", serverUrl);
        }
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
        }
        String text = new String(out, StandardCharsets.UTF_8);
        System.out.println(text);
        return new Result(p.exitValue(), text);
    }
}
