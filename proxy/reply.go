package proxy

import "github.com/vr-go/vr/message"

// Handle processes a reply. Replies for other clients are ignored; every
// reply for this client of the proxy's epoch teaches it the view (views
// only go up); one of a later epoch moves the proxy to that epoch and its
// view and marks its configuration stale (ConfigStale); a reply that does
// not answer the in-flight request is otherwise ignored.
func (p *Proxy) Handle(rep *message.Reply) {
	if rep == nil || rep.ClientID != p.cfg.ClientID {
		return
	}
	switch {
	case rep.Epoch > p.epoch:
		p.epoch, p.view, p.stale = rep.Epoch, rep.View, true
	case rep.Epoch == p.epoch && rep.View > p.view:
		p.view = rep.View
	}
	if p.inflight == nil || rep.RequestNum != p.inflight.RequestNum {
		return
	}
	req := p.inflight
	p.inflight = nil
	if req.Kind == message.KindRegister {
		p.registerDone(rep)
		return
	}
	if rep.Status == message.StatusSessionEvicted {
		p.registered, p.session = false, 0 // the next operation registers again
	}
	p.complete(req.RequestNum, rep.Status, rep.Result)
}

// registerDone handles the answer to a registration: on success the proxy
// keeps the session's identity (the result) and the waiting operation is
// sent in it; otherwise it completes with the reply's status (a result
// that is no session identity, StatusRejected: nothing was sent).
func (p *Proxy) registerDone(rep *message.Reply) {
	payload, kind, waiting := p.payload, p.kind, p.waiting
	p.payload, p.waiting = nil, false
	id, ok := message.DecodeSession(rep.Result)
	if rep.Status == message.StatusOK && !ok {
		rep = &message.Reply{RequestNum: rep.RequestNum, Status: message.StatusRejected}
	}
	if rep.Status != message.StatusOK {
		if waiting {
			// The operation never got a request number of its own; report
			// it under the registration's.
			p.complete(rep.RequestNum, rep.Status, nil)
		}
		return
	}
	p.registered, p.session = true, id
	if waiting {
		p.start(kind, payload)
	}
}

// complete reports the end of an operation.
func (p *Proxy) complete(num uint64, status message.ReplyStatus, result []byte) {
	p.out.Done = append(p.out.Done, Completion{
		RequestNum: num,
		Status:     status,
		Result:     append([]byte(nil), result...),
	})
}
