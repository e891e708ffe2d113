// Package auth says who is at the other end of a connection and what it
// may do: the identities that a cluster's certificates carry, the roles of
// clients, and the TLS configurations (mutual TLS 1.3, certificates
// reloadable without a restart) that transport and client use.
//
// # Identities
//
// Every certificate of a cluster carries exactly one URI SAN of the form
//
//	vr://cluster/<cluster-id>/replica/<index>   a replica
//	vr://cluster/<cluster-id>/client/<role>     a client: read, write or admin
//
// A replica's index is bound to its certificate: the transport refuses a
// frame whose declared sender is not the index the certificate names, and
// refuses replica frames on a client's connection. Replica certificates
// have both the server and the client extended key usage (replicas accept
// and dial); client certificates only the client one, so a client
// certificate can never serve as a replica.
//
// # Reload
//
// A Source holds the current certificate, key and CA pool behind an atomic
// pointer. The tls.Configs it returns read the pointer at every handshake
// (GetCertificate, GetClientCertificate, VerifyConnection), so Reload (on
// SIGHUP in vr server) changes what the next connection presents and
// trusts, while open connections keep going.
package auth
