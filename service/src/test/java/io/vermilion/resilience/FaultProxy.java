package io.vermilion.resilience;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fault-injecting HTTP/1.1 proxy on loopback, between the service and an S3-compatible server. Requests pass
 * through unchanged until it is told to answer the next N with an error status, to stall them (hold them unanswered,
 * then close the connection), or to drop their connections (reset without an answer) - or to do so for every request,
 * or every write, until {@link #heal()}. Counts the requests it saw and the ones it passed on. Thread-safe; one virtual thread per
 * client connection, each with its own upstream connection.
 */
final class FaultProxy implements Closeable {

    enum Fault { NONE, ERROR_500, SLOW_DOWN_503, STALL, DROP }

    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Deque<Fault> scheduled = new ArrayDeque<>(); // guarded by this
    private Fault always = Fault.NONE; // guarded by this
    private Fault writes = Fault.NONE; // guarded by this
    private final AtomicInteger seen = new AtomicInteger();
    private final AtomicInteger forwarded = new AtomicInteger();
    private final AtomicInteger faulted = new AtomicInteger();
    private volatile long stallMillis = 3_000;
    private volatile boolean closed;

    FaultProxy(URI upstream) throws IOException {
        this.upstream = new InetSocketAddress(upstream.getHost(), upstream.getPort());
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("fault-proxy-accept").start(this::acceptLoop);
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** The next {@code n} requests meet {@code fault}; later ones pass again. */
    synchronized void failNext(int n, Fault fault) {
        for (int i = 0; i < n; i++) {
            scheduled.add(fault);
        }
    }

    /** Every request meets {@code fault} until {@link #heal()}. */
    synchronized void failAll(Fault fault) {
        always = fault;
    }

    /** Every write (PUT, POST, DELETE) meets {@code fault} until {@link #heal()}; reads pass. */
    synchronized void failWrites(Fault fault) {
        writes = fault;
    }

    synchronized void heal() {
        scheduled.clear();
        always = Fault.NONE;
        writes = Fault.NONE;
    }

    void stallFor(long millis) {
        stallMillis = millis;
    }

    int seen() {
        return seen.get();
    }

    int forwarded() {
        return forwarded.get();
    }

    int faulted() {
        return faulted.get();
    }

    private synchronized Fault nextFault(String method) {
        Fault next = scheduled.poll();
        if (next != null) {
            return next;
        }
        boolean write = "PUT".equals(method) || "POST".equals(method) || "DELETE".equals(method);
        return write && writes != Fault.NONE ? writes : always;
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        sockets.forEach(FaultProxy::closeQuietly);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                Thread.ofVirtual().name("fault-proxy-conn").start(() -> serve(client));
            } catch (IOException e) {
                if (!closed) {
                    sleep(10);
                }
            }
        }
    }

    private void serve(Socket client) {
        Socket up = null;
        InputStream upIn = null;
        try (client) {
            InputStream in = new BufferedInputStream(client.getInputStream());
            OutputStream out = client.getOutputStream();
            while (!closed) {
                Head request = Head.read(in);
                if (request == null) {
                    return; // the client closed its connection
                }
                seen.incrementAndGet();
                Fault fault = nextFault(request.method());
                if (fault != Fault.NONE) {
                    faulted.incrementAndGet();
                    inject(fault, client, request, in, out);
                    return; // a faulted connection is never reused
                }
                if (request.expectsContinue()) {
                    out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                byte[] body = request.readBody(in, false);
                if (up == null || up.isClosed()) {
                    up = new Socket();
                    up.connect(upstream, 5_000);
                    sockets.add(up);
                    upIn = new BufferedInputStream(up.getInputStream());
                }
                OutputStream upOut = up.getOutputStream();
                upOut.write(request.bytesWithout("expect"));
                upOut.write(body);
                upOut.flush();
                forwarded.incrementAndGet();
                Head response = Head.read(upIn);
                if (response == null) {
                    return;
                }
                out.write(response.bytes());
                byte[] responseBody = response.readBody(upIn,
                        "HEAD".equals(request.method()) || response.status() == 204 || response.status() == 304);
                out.write(responseBody);
                out.flush();
                if (response.closes() || request.closes()) {
                    return;
                }
            }
        } catch (IOException e) {
            // a side went away: drop the pair
        } finally {
            if (up != null) {
                sockets.remove(up);
                closeQuietly(up);
            }
            sockets.remove(client);
        }
    }

    private void inject(Fault fault, Socket client, Head request, InputStream in, OutputStream out) throws IOException {
        switch (fault) {
            case DROP -> {
                client.setSoLinger(true, 0); // reset, not an orderly close
                client.close();
            }
            case STALL -> {
                sleep(stallMillis);
                client.close();
            }
            case ERROR_500, SLOW_DOWN_503 -> {
                if (!request.expectsContinue()) {
                    request.readBody(in, false); // consume it, so the answer is read rather than a reset
                }
                boolean slowDown = fault == Fault.SLOW_DOWN_503;
                String xml = slowDown
                        ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>"
                        + "<Message>Please reduce your request rate.</Message></Error>"
                        : "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>InternalError</Code>"
                        + "<Message>We encountered an internal error. Please try again.</Message></Error>";
                byte[] body = xml.getBytes(StandardCharsets.UTF_8);
                String head = "HTTP/1.1 " + (slowDown ? "503 Slow Down" : "500 Internal Server Error") + "\r\n"
                        + "Content-Type: application/xml\r\n"
                        + "Content-Length: " + body.length + "\r\n"
                        + "Connection: close\r\n\r\n";
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                client.shutdownOutput();
            }
            case NONE -> throw new IllegalStateException();
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The start line and headers of a request or response, as received. */
    private record Head(String startLine, java.util.List<String> headers) {

        static Head read(InputStream in) throws IOException {
            String start = line(in);
            if (start == null) {
                return null;
            }
            java.util.List<String> headers = new java.util.ArrayList<>();
            for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                headers.add(h);
            }
            return new Head(start, headers);
        }

        String method() {
            return startLine.substring(0, startLine.indexOf(' '));
        }

        int status() {
            return Integer.parseInt(startLine.split(" ")[1]);
        }

        String header(String name) {
            for (String h : headers) {
                int colon = h.indexOf(':');
                if (colon > 0 && h.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return h.substring(colon + 1).trim();
                }
            }
            return null;
        }

        boolean expectsContinue() {
            return "100-continue".equalsIgnoreCase(header("expect"));
        }

        boolean closes() {
            return "close".equalsIgnoreCase(header("connection"));
        }

        byte[] bytes() {
            return bytesWithout(null);
        }

        byte[] bytesWithout(String dropped) {
            StringBuilder b = new StringBuilder(startLine).append("\r\n");
            for (String h : headers) {
                if (dropped == null || !h.toLowerCase(Locale.ROOT).startsWith(dropped + ":")) {
                    b.append(h).append("\r\n");
                }
            }
            return b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        /** The body that follows this head, framing included (chunked bodies are relayed as chunks). */
        byte[] readBody(InputStream in, boolean none) throws IOException {
            if (none) {
                return new byte[0];
            }
            String length = header("content-length");
            if (length != null) {
                return in.readNBytes(Integer.parseInt(length));
            }
            if ("chunked".equalsIgnoreCase(header("transfer-encoding"))) {
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                while (true) {
                    String size = line(in);
                    if (size == null) {
                        throw new EOFException();
                    }
                    body.writeBytes((size + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                    if (n == 0) {
                        for (String trailer = line(in); trailer != null; trailer = line(in)) {
                            body.writeBytes((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                            if (trailer.isEmpty()) {
                                break;
                            }
                        }
                        return body.toByteArray();
                    }
                    body.writeBytes(in.readNBytes(n));
                    body.writeBytes((line(in) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                }
            }
            return new byte[0]; // requests without a length have no body (responses here always have one)
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != -1) {
                if (c == '\n') {
                    byte[] bytes = b.toByteArray();
                    int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
                }
                b.write(c);
            }
            if (b.size() == 0) {
                return null;
            }
            throw new SocketException("connection closed mid-line");
        }
    }
}
