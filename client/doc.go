// Package client is the Go client library of the vr key-value store.
//
// A Client speaks the VR proxy protocol (package proxy) over TCP: it keeps
// the configuration and the view it believes is current, sends each request
// to the primary, re-sends it with the same request number when no answer
// comes, broadcasts to every replica when the primary stays silent, and
// learns the new view from replies.
//
// # Sessions
//
// A Client is safe for concurrent use. The protocol allows one outstanding
// request per client session, so the Client keeps a pool of sessions that
// share one TCP connection per replica; concurrent calls use different
// sessions. A session registers in the cluster's client table (one log
// op) when it is first used, and the pool reuses the most recently used
// idle session, so a client making one call at a time holds one session,
// and the pool grows to the client's peak number of concurrent calls, at
// most Config.Sessions. The client table is bounded (the servers'
// --max-sessions): size it to the sum of the clients' peak concurrency,
// not of their Config.Sessions (docs/operations.md). When a new session
// finds the table full, the session with the oldest last op is evicted,
// and its client's next call fails with ErrSessionEvicted; the Client
// logs a warning and counts it (Stats).
//
// # Errors: applied, not applied, or unknown
//
// Every error from an operation (Get, Put, Delete, CAS, Scan, ScanPrefix)
// matches exactly one of two classes with errors.Is:
//
//   - ErrNotApplied: the operation definitely had no effect, and retrying
//     it is safe. It was never sent (invalid input such as ErrKeyTooLarge;
//     the context ended or the client was closed before it was sent, or
//     while it waited for a session or for its session's registration),
//     the cluster refused it without executing it (ErrRejected, or
//     ErrPermissionDenied when the client certificate's role does not
//     allow it), or it ran
//     and changed nothing (ErrNotFound, ErrVersionMismatch).
//   - ErrOutcomeUnknown: the operation may or may not have been applied. Its
//     request was sent and no reply told its fate: the context was
//     cancelled or its deadline passed (context.Canceled,
//     context.DeadlineExceeded), the client was closed (ErrClosed), or the
//     session was evicted (ErrSessionEvicted) while it was outstanding; or
//     the reply did not decode (ErrBadReply). Read the state back, or use
//     CAS, before retrying a write that is not idempotent.
//
// A write packed into a batch (Config.Coalesce) goes with its batch: if
// its caller leaves before a batch took it, it is not applied; after, its
// outcome is unknown, even if the batch had not been sent yet, because the
// batch goes on.
//
// The cause is matched too: errors.Is(err, context.DeadlineExceeded),
// errors.Is(err, ErrClosed) and the other sentinels keep working, and a
// *CASError is found with errors.As.
//
// A request that was sent keeps being retried after its caller gave up, so
// that it completes (at most once) and its session can serve the next call
// instead of registering another; meanwhile it holds one of the
// Config.Sessions slots. Close ends everything.
package client
