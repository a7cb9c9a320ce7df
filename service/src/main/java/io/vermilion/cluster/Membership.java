package io.vermilion.cluster;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vermilion.config.ReplicaRole;
import io.vermilion.config.VermilionConfig;
import io.vermilion.sysdb.ReplicaRows;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * This api replica's membership in the cluster, with affinity routing on: it heartbeats its row in the catalog every
 * {@code vermilion.routing.heartbeat-interval} and keeps the live members' addresses (heartbeat younger than
 * {@code dead-after}), from which {@link #owner} picks a collection's owner by rendezvous hashing. It leaves as soon
 * as its shutdown begins, so the others stop forwarding to it before it drains.
 */
@ApplicationScoped
public class Membership {

    private static final Logger LOG = Logger.getLogger(Membership.class);

    private final boolean enabled;
    private final String id = UUID.randomUUID().toString();
    private final String self;
    private final Duration interval;
    private final Duration deadAfter;
    private final ReplicaRows rows;
    private final Vertx vertx;
    private volatile List<String> members = List.of();
    private volatile boolean leaving;
    private long timer = -1;

    public Membership(VermilionConfig config, ReplicaRows rows, Vertx vertx,
                      @ConfigProperty(name = "quarkus.http.port") int port) {
        this.enabled = config.routing().affinity() && config.roles().contains(ReplicaRole.API);
        this.self = config.routing().advertiseUrl().orElse("http://127.0.0.1:" + port).replaceAll("/$", "");
        this.interval = config.routing().heartbeatInterval();
        this.deadAfter = config.routing().deadAfter();
        this.rows = rows;
        this.vertx = vertx;
    }

    public boolean enabled() {
        return enabled;
    }

    /** This replica's address, as the others reach it. */
    public String self() {
        return self;
    }

    /** The live members' addresses, sorted, as of the last heartbeat. */
    public List<String> members() {
        return members;
    }

    /** The owner of {@code collection} among the live members; empty before the first heartbeat or once leaving. */
    public Optional<String> owner(String collection) {
        return leaving ? Optional.empty() : Rendezvous.owner(collection, members);
    }

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        beat();
        timer = vertx.setPeriodic(interval.toMillis(), t -> beat());
    }

    private void beat() {
        if (leaving) {
            return;
        }
        rows.heartbeat(id, self, deadAfter).subscribe().with(live -> {
            if (!live.equals(members)) {
                LOG.infof("Cluster members: %s", live);
            }
            members = live;
        }, e -> LOG.warnf("Cluster heartbeat failed (%s); keeping the last members %s", e.toString(), members));
    }

    void leaveOnDrain(@Observes ShutdownDelayInitiatedEvent event) {
        leave();
    }

    void leaveOnStop(@Observes ShutdownEvent event) {
        leave();
    }

    private synchronized void leave() {
        if (!enabled || leaving) {
            return;
        }
        leaving = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        try {
            rows.leave(id).await().atMost(Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            LOG.warnf("Could not leave the cluster membership (%s); the others drop this replica in %s", e, deadAfter);
        }
    }
}
