// Package bus is amigo's event bus: NATS JetStream, run embedded in the
// process by default or reached as an external server or cluster by URL
// (ARCHITECTURE §7, §10). It moves bytes and headers; what the bytes mean is
// the publisher's and consumer's business (hes, mdm).
//
// # Subjects and streams
//
//	subject                          stream     retention
//	amigo.readings.<meter>           READINGS   limits: every consumer sees every reading
//	amigo.readings.batch.<origin>    READINGS   many meters' readings in one message (push ingest)
//	amigo.events.<meter>             EVENTS     limits
//	amigo.events.batch.<origin>      EVENTS     many meters' events in one message
//	amigo.commands.<meter>           COMMANDS   work queue: gone once one consumer acknowledges it
//	amigo.jobs.<meter>               JOBS       work queue
//	amigo.dead.<stream>.<consumer>   DEAD       limits: what a consumer gave up on, reason in headers
//
// <meter> is MeterToken(meter ID): the ID itself when it is made of
// A–Z a–z 0–9 '_' '-', with any other byte written as '=' and two hex digits
// ("LGZ.1" → "LGZ=2E1"). ReadingsSubject and friends build subjects,
// MeterFromSubject takes them apart.
//
// Open creates or updates every stream (file storage, Config.Replicas
// replicas, the duplicate window and limits of Config); running it again,
// from any number of processes, changes nothing. A stream that reaches its
// byte limit refuses new messages instead of dropping unconsumed ones;
// messages older than the age limit are removed (a week by default).
//
// # Delivery guarantees
//
// Publish, PublishMsg and PublishBatch return only once the stream has
// acknowledged every message, that is stored it on a quorum of its
// replicas. A message carries an ID (header Nats-Msg-Id): publishing the
// same ID again within Config.Duplicates (2 minutes) stores nothing new, so
// a publisher that got an error simply publishes again with the same ID.
//
// Consume delivers at least once, through a durable pull consumer: a
// message is acknowledged only after the handler returns nil (for mdm:
// after the durable write). A handler error redelivers the message after an
// exponential backoff; after MaxDeliver failures, or at once when the error
// wraps ErrPermanent, the message is copied to DEAD with its stream,
// subject, sequence, consumer, delivery count and the error in Amigo-Dead-*
// headers, and terminated. A message that is never answered (the process
// died) returns after AckWait. Consumers must therefore be idempotent,
// keyed by Delivery.ID or Delivery.Sequence. Every Consume call with the
// same stream and durable name, in any process, is an instance of one
// consumer: the messages split between them, and a new instance resumes
// where the consumer stands. ConsumeBatch hands the handler up to N
// deliveries at once (one durable write, then one acknowledgement each);
// its handler fails single deliveries by returning DeliveryErrors.
//
// KeyValue buckets offer compare-and-set (Create, Update with the revision
// read, Delete with it) for state that must stay unique across head-end
// nodes: invocation counters, association locks (with a TTL bucket).
//
// # Embedded and cluster
//
// Embedded (Config.URLs empty): Open starts a one-node JetStream server
// with its data in Config.StateDir/nats and connects to it in-process; with
// Config.Listen set (e.g. "127.0.0.1:4222", or port 0 for a free one) other
// processes can connect too, at ClientURL. Close closes the connection,
// shuts the server down and waits until it has.
//
// Cluster (Config.URLs = every node's URL): the same code on a JetStream
// cluster of 3 or 5 nats-server nodes, streams replicated 3 times by
// default. The connection follows the cluster when a node goes away. A
// cluster for trying it on one machine:
//
//	nats-server -js -a 127.0.0.1 -p 4222 -sd /tmp/n1 --server_name n1 --cluster_name amigo \
//	    --cluster nats://127.0.0.1:6222 --routes nats://127.0.0.1:6223,nats://127.0.0.1:6224
//	(and n2, n3 on 4223/6223 and 4224/6224)
//
// .ci/suites/nats-cluster builds nats-server from this module's requirement,
// runs such a cluster and the tests tagged natscluster against it:
// TestClusterSurvivesNodeLoss SIGKILLs the READINGS leader mid-ingest,
// publishes through the failover, restarts the node and checks that every
// acknowledged message was stored once and consumed.
//
// While a cluster elects leaders (seconds after a node is lost) publishes
// fail or time out after Config.AckTimeout; publishers retry with the same
// IDs. Consume retries creating its consumer through such failures and
// keeps pulling across reconnects.
//
// # Concurrency
//
// A Bus is safe for concurrent use. Consume and ConsumeBatch run their
// handler on one message or batch at a time, in stream order apart from
// redeliveries; run several calls for parallelism.
//
// # Throughput
//
// Every message costs the embedded server and client about 10–25 µs of CPU
// (BENCHMARKS.md, "bus"), whatever its size: publish one message per push or
// per profile read, carrying all its readings, rather than one per value.
package bus
