// Package client is the Go client library of the vr key-value store.
//
// A Client speaks the VR proxy protocol (package proxy) over TCP: it keeps
// the configuration and the view it believes is current, sends each request
// to the primary, re-sends it with the same request number when no answer
// comes, broadcasts to every replica when the primary stays silent, and
// learns the new view from replies.
//
// A Client is safe for concurrent use. The protocol allows one outstanding
// request per client session, so the Client keeps a pool of sessions
// (Config.Sessions) that share one TCP connection per replica; concurrent
// calls use different sessions.
package client
