//go:build natscluster

package bus

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/amigo-ami/amigo/internal/testenv"
)

// The cluster test runs against separate nats-server processes that
// .ci/suites/nats-cluster starts (build tag natscluster, so that the plain
// `go test ./...` never needs them):
//
//	AMIGO_NATS_CLUSTER      the nodes' client URLs, comma-separated
//	AMIGO_NATS_CLUSTER_CTL  a command taking "kill NAME" or "start NAME"
const (
	envCluster    = "AMIGO_NATS_CLUSTER"
	envClusterCtl = "AMIGO_NATS_CLUSTER_CTL"
)

// clusterGuard bounds the whole test; failover takes seconds, not minutes.
const clusterGuard = 90 * time.Second

func clusterFromEnv(t *testing.T) (urls []string, ctl string) {
	t.Helper()
	urlList := testenv.NeedServer(t, "a running 3-node NATS cluster", envCluster, "nats-cluster")
	ctl = testenv.NeedServer(t, "the NATS cluster's node control command", envClusterCtl, "nats-cluster")
	return strings.Split(urlList, ","), ctl
}

// nodeCtl kills or starts one cluster node through the suite's script.
func nodeCtl(t *testing.T, ctl, verb, name string) {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), ctl, verb, name).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s %s: %v\n%s", ctl, verb, name, err, out)
	}
}

// openCluster opens a bus on the cluster, retrying while JetStream elects
// its first leaders.
func openCluster(t *testing.T, ctx context.Context, urls []string) *Bus {
	t.Helper()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	for {
		b, err := Open(ctx, Config{URLs: urls, Name: "cluster-test", Logger: log})
		if err == nil {
			t.Cleanup(func() { b.Close() })
			return b
		}
		t.Logf("cluster not ready: %v", err)
		select {
		case <-ctx.Done():
			t.Fatalf("cluster %v never became ready: %v", urls, err)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// ledger records what the publisher had acknowledged and what the consumer
// received.
type ledger struct {
	mu       sync.Mutex
	acked    []string
	received map[string]map[uint64]bool // ID → stream sequences it arrived with
	deliver  int
	changed  chan struct{} // signalled on every change
	consumed chan error    // what Consume returned
}

func (l *ledger) note() {
	select {
	case l.changed <- struct{}{}:
	default:
	}
}

// waitFor blocks until cond holds under the ledger's lock.
func (l *ledger) waitFor(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	for {
		l.mu.Lock()
		ok := cond()
		l.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-l.changed:
		case <-ctx.Done():
			l.mu.Lock()
			defer l.mu.Unlock()
			select {
			case err := <-l.consumed:
				t.Fatalf("Consume returned while waiting for %s: %v", what, err)
			default:
			}
			t.Fatalf("waiting for %s: %v (acked %d, received %d)", what, ctx.Err(), len(l.acked), len(l.received))
		}
	}
}

// TestClusterSurvivesNodeLoss publishes continuously into an R3 stream,
// SIGKILLs the node leading it, keeps publishing through the failover,
// restarts the node, and then checks that every acknowledged message was
// stored once and consumed.
func TestClusterSurvivesNodeLoss(t *testing.T) {
	urls, ctl := clusterFromEnv(t)
	ctx, cancel := context.WithTimeout(t.Context(), clusterGuard)
	defer cancel()
	b := openCluster(t, ctx, urls)

	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	subject := ReadingsSubject("it-" + run)
	l := &ledger{received: map[string]map[uint64]bool{}, changed: make(chan struct{}, 1), consumed: make(chan error, 1)}

	consumeCtx, stopConsumer := context.WithCancel(ctx)
	go func() {
		defer cancel() // a consumer that stops early fails the test at once
		l.consumed <- b.Consume(consumeCtx, StreamReadings, "it-"+run, func(_ context.Context, d *Delivery) error {
			l.mu.Lock()
			defer l.mu.Unlock()
			if l.received[d.ID] == nil {
				l.received[d.ID] = map[uint64]bool{}
			}
			l.received[d.ID][d.Sequence] = true
			l.deliver++
			l.note()
			return nil
		}, FilterSubject(subject), AckWait(5*time.Second))
	}()

	// The publisher stops between batches, so that everything it sent was
	// acknowledged in the end: the stream must then hold exactly that.
	stopPublishing := make(chan struct{})
	published := make(chan int, 1)
	go func() {
		failures := 0
		defer func() { published <- failures }()
		const batch = 50
		for next := 0; ; next += batch {
			select {
			case <-stopPublishing:
				return
			default:
			}
			msgs := make([]Message, batch)
			for i := range msgs {
				msgs[i] = Message{Subject: subject, ID: run + "-" + strconv.Itoa(next+i), Data: []byte(strconv.Itoa(next + i))}
			}
			// Retry the whole batch until it is acknowledged: the IDs keep
			// the retried messages from being stored twice.
			for {
				err := b.PublishBatch(ctx, msgs)
				if err == nil {
					break
				}
				if ctx.Err() != nil {
					return
				}
				failures++
				t.Logf("batch at %d: %v", next, err)
				select {
				case <-ctx.Done():
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
			l.mu.Lock()
			for _, m := range msgs {
				l.acked = append(l.acked, m.ID)
			}
			l.note()
			l.mu.Unlock()
		}
	}()
	ackedAtLeast := func(n int) func() bool { return func() bool { return len(l.acked) >= n } }

	l.waitFor(t, ctx, "1000 acknowledged before the kill", ackedAtLeast(1000))
	leader := streamLeader(t, ctx, b, StreamReadings)
	l.mu.Lock()
	atKill := len(l.acked)
	l.mu.Unlock()
	t.Logf("SIGKILL %s, leader of %s, after %d acknowledged", leader, StreamReadings, atKill)
	killed := time.Now()
	nodeCtl(t, ctl, "kill", leader)

	l.waitFor(t, ctx, "1000 more acknowledged after the kill", ackedAtLeast(atKill+1000))
	newLeader := streamLeader(t, ctx, b, StreamReadings)
	t.Logf("publishing resumed %v after the kill; new leader %s", time.Since(killed).Round(time.Millisecond), newLeader)
	if newLeader == leader {
		t.Errorf("leader is still the killed node %s", leader)
	}

	nodeCtl(t, ctl, "start", leader)
	l.mu.Lock()
	atRestart := len(l.acked)
	l.mu.Unlock()
	l.waitFor(t, ctx, "500 more acknowledged after the restart", ackedAtLeast(atRestart+500))
	close(stopPublishing)
	failures := <-published
	waitReplicasCurrent(t, ctx, b, StreamReadings, leader)

	l.mu.Lock()
	acked := len(l.acked)
	l.mu.Unlock()
	defer func() {
		if t.Failed() {
			if c, err := b.js.Consumer(context.Background(), StreamReadings, "it-"+run); err == nil {
				info, err := c.Info(context.Background())
				t.Logf("consumer: %+v %v", info, err)
			}
		}
	}()
	stored := subjectMsgs(t, b, StreamReadings, subject)
	l.waitFor(t, ctx, "every acknowledged message consumed", func() bool {
		for _, id := range l.acked {
			if l.received[id] == nil {
				return false
			}
		}
		return true
	})
	stopConsumer()
	if err := <-l.consumed; err != nil {
		t.Errorf("Consume: %v", err)
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	for id, seqs := range l.received {
		if len(seqs) != 1 {
			t.Errorf("message %s stored %d times (sequences %v)", id, len(seqs), seqs)
		}
	}
	if stored != uint64(acked) || len(l.received) != acked {
		t.Errorf("stored %d, distinct received %d, acknowledged %d: want all equal", stored, len(l.received), acked)
	}
	t.Logf("acknowledged %d, stored %d, deliveries %d (%d redelivered), failed batches retried %d",
		acked, stored, l.deliver, l.deliver-len(l.received), failures)
}

// TestClusterKVCompareAndSet checks conflicts on a replicated bucket, where
// the server reports them with a different error code than on one node.
func TestClusterKVCompareAndSet(t *testing.T) {
	urls, _ := clusterFromEnv(t)
	ctx, cancel := context.WithTimeout(t.Context(), clusterGuard)
	defer cancel()
	b := openCluster(t, ctx, urls)
	kv, err := b.KeyValue(ctx, "it_locks", 0)
	if err != nil {
		t.Fatal(err)
	}
	key := "M" + strconv.FormatInt(time.Now().UnixNano(), 36) + ".lock"
	rev, err := kv.Create(ctx, key, []byte("hes-a"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Create(ctx, key, []byte("hes-b")); !errors.Is(err, ErrConflict) {
		t.Errorf("second Create = %v, want ErrConflict", err)
	}
	if _, err := kv.Update(ctx, key, []byte("hes-b"), rev+1000); !errors.Is(err, ErrConflict) {
		t.Errorf("Update with a wrong revision = %v, want ErrConflict", err)
	}
	if err := kv.Delete(ctx, key, rev+1000); !errors.Is(err, ErrConflict) {
		t.Errorf("Delete with a wrong revision = %v, want ErrConflict", err)
	}
	if err := kv.Delete(ctx, key, rev); err != nil {
		t.Errorf("Delete with the current revision = %v", err)
	}
}

// streamLeader names the node leading stream, once there is one.
func streamLeader(t *testing.T, ctx context.Context, b *Bus, stream string) string {
	t.Helper()
	for {
		info, err := streamInfo(ctx, b, stream)
		if err == nil && info.Cluster != nil && info.Cluster.Leader != "" {
			return info.Cluster.Leader
		}
		select {
		case <-ctx.Done():
			t.Fatalf("stream %s has no leader: %v", stream, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// waitReplicasCurrent waits until node is back as a current replica of
// stream.
func waitReplicasCurrent(t *testing.T, ctx context.Context, b *Bus, stream, node string) {
	t.Helper()
	for {
		info, err := streamInfo(ctx, b, stream)
		if err == nil && info.Cluster != nil {
			for _, r := range info.Cluster.Replicas {
				if r.Name == node && r.Current && !r.Offline {
					t.Logf("%s is a current replica of %s again (lag %d)", node, stream, r.Lag)
					return
				}
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s did not rejoin stream %s: %v", node, stream, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func streamInfo(ctx context.Context, b *Bus, stream string) (*jetstream.StreamInfo, error) {
	s, err := b.js.Stream(ctx, stream)
	if err != nil {
		return nil, err
	}
	return s.Info(ctx)
}

// subjectMsgs is how many messages stream holds on subject.
func subjectMsgs(t *testing.T, b *Bus, stream, subject string) uint64 {
	t.Helper()
	s, err := b.js.Stream(t.Context(), stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(t.Context(), jetstream.WithSubjectFilter(subject))
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Subjects[subject]
}
