package io.vermilion.storage;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.FileRequestBodyConfiguration;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * An {@link ObjectStore} in an S3 bucket (AWS or any S3-compatible server), keys stored under a fixed prefix.
 * Atomic put-if-absent uses a conditional PUT ({@code If-None-Match: *}). The client stays the caller's: share one
 * per process and close it yourself; {@link #close()} leaves it open.
 */
public final class S3ObjectStore implements ObjectStore {

    private static final int MAX_CONFLICT_RETRIES = 8;
    /** Files above this go up in parts of this size (S3 allows 10,000 parts of at most 5 GiB). */
    public static final long DEFAULT_PART_BYTES = 64L << 20;

    private final S3AsyncClient client;
    private final String bucket;
    private final String prefix;
    private final long partBytes;
    private final S3RangeReader ranges; // null: ranged reads through the SDK

    /**
     * @param prefix the "folder" in the bucket holding this store's keys; "" for the bucket root, otherwise a
     *               '/' is appended if missing
     */
    public S3ObjectStore(S3AsyncClient client, String bucket, String prefix) {
        this(client, bucket, prefix, DEFAULT_PART_BYTES);
    }

    /** @param partBytes files larger than this are uploaded in parts of this size (S3's minimum is 5 MiB) */
    public S3ObjectStore(S3AsyncClient client, String bucket, String prefix, long partBytes) {
        this(client, bucket, prefix, partBytes, null);
    }

    /** @param ranges makes the ranged reads (every other call goes through {@code client}); null: {@code client} */
    public S3ObjectStore(S3AsyncClient client, String bucket, String prefix, long partBytes, S3RangeReader ranges) {
        if (partBytes < 1) {
            throw new IllegalArgumentException("part size must be positive: " + partBytes);
        }
        this.partBytes = partBytes;
        this.ranges = ranges;
        this.client = client;
        this.bucket = bucket;
        this.prefix = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
        ObjectKeys.checkPrefix(this.prefix);
    }

    /**
     * Builds an async S3 client on Netty.
     *
     * @param endpoint  an S3-compatible endpoint, or null for AWS itself
     * @param accessKey null (with {@code secretKey} null) for the default AWS credentials chain
     * @param pathStyle address buckets as {@code endpoint/bucket} rather than {@code bucket.endpoint}; most
     *                  S3-compatible servers need it
     */
    public static S3AsyncClient client(URI endpoint, String region, String accessKey, String secretKey, boolean pathStyle) {
        return client(endpoint, region, accessKey, secretKey, pathStyle, true);
    }

    /**
     * As above; with {@code sdkRetries} false the SDK makes one attempt per request, for callers that retry in a
     * layer of their own (two layers of retries would multiply each other's attempts).
     */
    public static S3AsyncClient client(URI endpoint, String region, String accessKey, String secretKey, boolean pathStyle,
                                       boolean sdkRetries) {
        AwsCredentialsProvider credentials = accessKey == null
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
        S3AsyncClientBuilder builder = S3AsyncClient.builder()
                .region(Region.of(region))
                .credentialsProvider(credentials)
                .forcePathStyle(pathStyle)
                .httpClientBuilder(NettyNioAsyncHttpClient.builder());
        if (!sdkRetries) {
            builder.overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
        }
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder.build();
    }

    @Override
    public CompletionStage<Void> put(String key, byte[] bytes) {
        return withKey(key, k -> client.putObject(b -> b.bucket(bucket).key(k), AsyncRequestBody.fromBytes(bytes))
                .thenApply(response -> null));
    }

    @Override
    public CompletionStage<Boolean> putIfAbsent(String key, byte[] bytes) {
        return withKey(key, k -> putIfAbsent(k, bytes, 0));
    }

    private CompletableFuture<Boolean> putIfAbsent(String objectKey, byte[] bytes, int attempt) {
        return client.putObject(b -> b.bucket(bucket).key(objectKey).ifNoneMatch("*"), AsyncRequestBody.fromBytes(bytes))
                .handle((response, failure) -> {
                    if (failure == null) {
                        return CompletableFuture.completedFuture(true);
                    }
                    int status = status(failure);
                    if (status == 412) {
                        return CompletableFuture.completedFuture(false);
                    }
                    if (status == 409 && attempt < MAX_CONFLICT_RETRIES) {
                        // AWS answers 409 while a concurrent conditional write to the key is in flight; retrying
                        // then yields 412 (the other won) or 200 (it failed).
                        long delayMillis = 10L << attempt;
                        return CompletableFuture.supplyAsync(() -> null,
                                        CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS))
                                .thenCompose(ignored -> putIfAbsent(objectKey, bytes, attempt + 1));
                    }
                    return CompletableFuture.<Boolean>failedFuture(unwrap(failure));
                })
                .thenCompose(f -> f);
    }

    /**
     * Streams the file from disk: one conditional PUT up to the part size, above it a multipart upload whose
     * completion is conditional ({@code If-None-Match: *}); a failed or refused upload is aborted, so no parts linger.
     */
    @Override
    public CompletionStage<Boolean> putFileIfAbsent(String key, Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (size <= partBytes) {
            return withKey(key, k -> client.putObject(b -> b.bucket(bucket).key(k).ifNoneMatch("*"),
                            AsyncRequestBody.fromFile(file))
                    .handle((response, failure) -> {
                        if (failure == null) {
                            return true;
                        }
                        if (status(failure) == 412) {
                            return false;
                        }
                        throw new CompletionException(unwrap(failure));
                    }));
        }
        return withKey(key, k -> client.headObject(b -> b.bucket(bucket).key(k)).handle((found, failure) -> {
            if (failure == null) {
                return CompletableFuture.completedFuture(false); // a leftover: fail fast, upload nothing
            }
            if (status(failure) != 404) {
                return CompletableFuture.<Boolean>failedFuture(unwrap(failure));
            }
            return multipart(k, file, size);
        }).thenCompose(f -> f));
    }

    private CompletableFuture<Boolean> multipart(String objectKey, Path file, long size) {
        return client.createMultipartUpload(b -> b.bucket(bucket).key(objectKey)).thenCompose(created -> {
            String upload = created.uploadId();
            List<CompletedPart> parts = new ArrayList<>();
            CompletableFuture<Void> sent = CompletableFuture.completedFuture(null);
            int number = 1;
            for (long offset = 0; offset < size; offset += partBytes, number++) {
                long at = offset;
                int part = number;
                long length = Math.min(partBytes, size - offset);
                sent = sent.thenCompose(previous -> client.uploadPart(b -> b.bucket(bucket).key(objectKey)
                                .uploadId(upload).partNumber(part).contentLength(length),
                        AsyncRequestBody.fromFile(FileRequestBodyConfiguration.builder().path(file).position(at)
                                .numBytesToRead(length).build()))
                        .thenAccept(response -> parts.add(CompletedPart.builder().partNumber(part)
                                .eTag(response.eTag()).build())));
            }
            return sent.thenCompose(done -> client.completeMultipartUpload(b -> b.bucket(bucket).key(objectKey)
                            .uploadId(upload).ifNoneMatch("*").multipartUpload(m -> m.parts(parts))))
                    .handle((response, failure) -> {
                        if (failure == null) {
                            return CompletableFuture.completedFuture(true);
                        }
                        boolean exists = status(failure) == 412;
                        return client.abortMultipartUpload(b -> b.bucket(bucket).key(objectKey).uploadId(upload))
                                .handle((aborted, abortFailure) -> {
                                    if (exists) {
                                        return false;
                                    }
                                    throw new CompletionException(unwrap(failure));
                                });
                    })
                    .thenCompose(f -> f);
        });
    }

    @Override
    public CompletionStage<byte[]> get(String key) {
        return withKey(key, k -> notFoundAs(key,
                () -> client.getObject(b -> b.bucket(bucket).key(k), AsyncResponseTransformer.toBytes())
                        .thenApply(ResponseBytes::asByteArrayUnsafe)));
    }

    @Override
    public CompletionStage<byte[]> getRange(String key, long offset, int length) {
        if (offset < 0 || length < 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("negative offset or length"));
        }
        if (length == 0) {
            return withKey(key, k -> notFoundAs(key,
                    () -> client.headObject(b -> b.bucket(bucket).key(k)).thenApply(response -> new byte[0])));
        }
        if (ranges != null) {
            return withKey(key, k -> ranges.read(bucket, k, key, offset, length));
        }
        String range = "bytes=" + offset + "-" + (offset + length - 1);
        return withKey(key, k -> notFoundAs(key,
                () -> client.getObject(b -> b.bucket(bucket).key(k).range(range), AsyncResponseTransformer.toBytes())
                        .thenApply(ResponseBytes::asByteArrayUnsafe)
                        .exceptionally(failure -> {
                            if (status(failure) == 416) {
                                return new byte[0]; // the range starts at or past the end
                            }
                            throw new CompletionException(unwrap(failure));
                        })));
    }

    @Override
    public CompletionStage<List<ObjectInfo>> list(String keyPrefix) {
        try {
            ObjectKeys.checkPrefix(keyPrefix);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        List<ObjectInfo> found = new ArrayList<>();
        // The paginator follows continuation tokens (1000 keys a page) and calls us one page at a time.
        return client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix + keyPrefix))
                .subscribe(page -> page.contents().forEach(object -> {
                    if (!object.key().endsWith("/")) { // folder markers made by other tools
                        found.add(new ObjectInfo(object.key().substring(prefix.length()), object.size()));
                    }
                }))
                .thenApply(done -> {
                    found.sort(Comparator.comparing(ObjectInfo::key, ObjectKeys.UTF8_ORDER));
                    return found;
                });
    }

    @Override
    public CompletionStage<Void> delete(String key) {
        // S3 answers 204 for a missing key too, so delete is idempotent as it stands.
        return withKey(key, k -> client.deleteObject(b -> b.bucket(bucket).key(k)).thenApply(response -> null));
    }

    @Override
    public void close() {
        // nothing to release: the client belongs to the caller
    }

    @Override
    public String toString() {
        return "S3ObjectStore[s3://" + bucket + "/" + prefix + "]";
    }

    private interface KeyedCall<T> {
        CompletableFuture<T> call(String objectKey);
    }

    private <T> CompletableFuture<T> withKey(String key, KeyedCall<T> call) {
        try {
            ObjectKeys.checkKey(key);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return call.call(prefix + key);
    }

    private static <T> CompletableFuture<T> notFoundAs(String key, Supplier<CompletableFuture<T>> call) {
        return call.get().exceptionally(failure -> {
            Throwable cause = unwrap(failure);
            throw new CompletionException(status(cause) == 404 ? new ObjectNotFoundException(key) : cause);
        });
    }

    private static int status(Throwable failure) {
        return unwrap(failure) instanceof S3Exception e ? e.statusCode() : -1;
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
