package io.vermilion.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Ranged reads signed here answer as the SDK's do, against S3Proxy over HTTP checking every signature. */
class S3RangeReaderTest {

    private S3ProxyServer server;
    private S3ObjectStore sdk;
    private S3ObjectStore lean;
    private final byte[] bytes = new byte[100_000];

    @BeforeEach
    void start() {
        server = S3ProxyServer.start();
        server.createBucket("ranges");
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 7 + i / 256);
        }
        sdk = new S3ObjectStore(server.client(), "ranges", "replica one/");
        lean = new S3ObjectStore(server.client(), "ranges", "replica one/", S3ObjectStore.DEFAULT_PART_BYTES,
                reader(S3ProxyServer.SECRET_KEY));
    }

    private S3RangeReader reader(String secret) {
        return new S3RangeReader(server.endpoint(), S3ProxyServer.REGION,
                StaticCredentialsProvider.create(AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, secret)), true,
                Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void rangesAnswerExactlyAsTheSdksDoIncludingAKeyThatNeedsEncoding() {
        for (String key : new String[] {"index/_0_Lucene99HnswVectorsFormat_0.vec", "a b/ü+é=x.bin"}) {
            sdk.put(key, bytes).toCompletableFuture().join();
            for (long[] range : new long[][] {{0, 16_384}, {50_000, 16_384}, {99_990, 100}, {0, 100_000}, {1, 1}}) {
                byte[] expected = Arrays.copyOfRange(bytes, (int) range[0],
                        (int) Math.min(bytes.length, range[0] + range[1]));
                assertArrayEquals(expected, lean.getRange(key, range[0], (int) range[1]).toCompletableFuture().join(),
                        key + " " + Arrays.toString(range));
                assertArrayEquals(expected, sdk.getRange(key, range[0], (int) range[1]).toCompletableFuture().join());
            }
            assertEquals(0, lean.getRange(key, 100_000, 10).toCompletableFuture().join().length, "past the end");
            assertEquals(0, lean.getRange(key, 200_000, 10).toCompletableFuture().join().length, "far past the end");
        }
    }

    @Test
    void manyMoreReadsAtOnceThanMayBeInFlightAllAnswer() {
        sdk.put("many", bytes).toCompletableFuture().join();
        int reads = 5 * S3RangeReader.MAX_IN_FLIGHT;
        java.util.List<java.util.concurrent.CompletableFuture<byte[]>> all = new java.util.ArrayList<>();
        for (int i = 0; i < reads; i++) {
            all.add(lean.getRange("many", i * 100L, 100).toCompletableFuture());
        }
        for (int i = 0; i < reads; i++) {
            assertArrayEquals(Arrays.copyOfRange(bytes, i * 100, i * 100 + 100), all.get(i).join(), "read " + i);
        }
    }

    @Test
    void aMissingKeyIsNotFoundAndABadSignatureIsAnError() {
        CompletionException missing = assertThrows(CompletionException.class,
                () -> lean.getRange("no/such/key", 0, 10).toCompletableFuture().join());
        assertEquals(new ObjectNotFoundException("no/such/key").getMessage(), missing.getCause().getMessage());
        assertInstanceOf(ObjectNotFoundException.class, missing.getCause());

        sdk.put("k", bytes).toCompletableFuture().join();
        S3ObjectStore wrongSecret = new S3ObjectStore(server.client(), "ranges", "replica one/",
                S3ObjectStore.DEFAULT_PART_BYTES, reader("not the secret"));
        CompletionException refused = assertThrows(CompletionException.class,
                () -> wrongSecret.getRange("k", 0, 10).toCompletableFuture().join());
        assertInstanceOf(IOException.class, refused.getCause());
        assertEquals(true, refused.getCause().getMessage().contains("answered 403"), refused.getCause().getMessage());
    }

    @Test
    void theSignatureUsesTheClocksDate() {
        sdk.put("k", bytes).toCompletableFuture().join();
        // S3 refuses requests more than 15 minutes off its clock: a reader whose clock is a day behind is refused,
        // which shows the date signed is the clock's.
        S3ObjectStore yesterday = new S3ObjectStore(server.client(), "ranges", "replica one/",
                S3ObjectStore.DEFAULT_PART_BYTES, new S3RangeReader(server.endpoint(), S3ProxyServer.REGION,
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY,
                                S3ProxyServer.SECRET_KEY)), true,
                        Clock.fixed(Instant.now().minusSeconds(86_400), ZoneOffset.UTC)));
        CompletionException refused = assertThrows(CompletionException.class,
                () -> yesterday.getRange("k", 0, 10).toCompletableFuture().join());
        assertInstanceOf(IOException.class, refused.getCause());
    }
}
