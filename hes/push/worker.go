package push

import (
	"context"
	"errors"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/dlms/security"
	"github.com/amigo-ami/amigo/hes/profile"
	"github.com/amigo-ami/amigo/meterdata"
)

// worker handles the pushes of one connection (or of the UDP socket) with
// buffers it reuses, so that a push allocates nothing once they have
// grown.
type worker struct {
	l     *Listener
	ca    apdu.Ciphered
	plain []byte
	dn    apdu.DataNotification
	en    apdu.EventNotification
	dec   decoded
	rm    meterdata.Readings
	em    meterdata.Events
}

func (l *Listener) newWorker() *worker { return &worker{l: l} }

// handle takes one pushed APDU to its batch, or counts why not.
func (w *worker) handle(ctx context.Context, pdu []byte) {
	m := w.l.metrics
	m.Received.Inc()
	if len(pdu) == 0 || pdu[0] != apdu.TagGeneralGloCiphering {
		if len(pdu) > 0 && (pdu[0] == apdu.TagDataNotification || pdu[0] == apdu.TagEventNotification) {
			m.reject(ReasonPlain)
		} else {
			m.reject(ReasonMalformed)
		}
		return
	}
	if err := w.ca.Decode(pdu); err != nil || len(w.ca.SystemTitle) != 8 {
		m.reject(ReasonMalformed)
		return
	}
	title := [8]byte(w.ca.SystemTitle)
	st, err := w.l.meter(ctx, title)
	if err != nil {
		w.l.log.Warn("push: meter not resolved", "title", title, "err", err)
	}
	if st == nil {
		m.reject(ReasonUnknown)
		return
	}
	st.mu.Lock()
	w.plain, err = st.sec.OpenAPDU(w.plain[:0], &w.ca)
	st.mu.Unlock()
	switch {
	case errors.Is(err, security.ErrReplay):
		m.reject(ReasonReplay)
		return
	case errors.Is(err, security.ErrAuthentication):
		m.reject(ReasonAuth)
		return
	case err != nil:
		m.reject(ReasonPolicy)
		return
	}
	now := time.Now().UnixMilli()
	w.dec.reset()
	if err := w.decode(st, now); err != nil {
		// Authentic but undecodable: its counter is still spent.
		m.reject(ReasonBody)
		w.l.batches.add(st.id, w.ca.InvocationCounter, nil, nil)
		return
	}
	var rm *meterdata.Readings
	var em *meterdata.Events
	if len(w.dec.readings) > 0 {
		w.rm = meterdata.Readings{Meter: st.id, Collected: now, Source: meterdata.SourcePush, Readings: w.dec.readings}
		rm = &w.rm
	}
	if len(w.dec.events) > 0 {
		w.em = meterdata.Events{Meter: st.id, Collected: now, Events: w.dec.events}
		em = &w.em
	}
	if err := w.l.batches.add(st.id, w.ca.InvocationCounter, rm, em); err != nil {
		m.reject(ReasonBody)
		return
	}
	m.Accepted.Inc()
}

// decode reads the plain notification into w.dec.
func (w *worker) decode(st *meterState, now int64) error {
	if len(w.plain) == 0 {
		return ErrBody
	}
	switch w.plain[0] {
	case apdu.TagDataNotification:
		if err := w.dn.Decode(w.plain); err != nil {
			return err
		}
		stamp := now
		if len(w.dn.DateTime) > 0 {
			if t, _, err := profile.DateTimeMillis(axdr.OctetString(w.dn.DateTime)); err == nil {
				stamp = t
			}
		}
		return w.layoutOf(w.dn.Body).decodeData(st.id, w.dn.Body, stamp, &w.dec)
	case apdu.TagEventNotification:
		if err := w.en.Decode(w.plain); err != nil {
			return err
		}
		return decodeEvent(st.id, &w.en, now, &w.dec)
	}
	return ErrBody
}

// layoutOf picks the layout a body names in its first element (the push
// setup's logical name), or the default one.
func (w *worker) layoutOf(body []axdr.Value) *Layout {
	if len(body) > 1 && body[0].Tag == axdr.TagStructure && body[1].Tag == axdr.TagOctetString && len(body[1].Bytes) == 6 {
		if l, ok := w.l.layouts[cosem.OBIS(body[1].Bytes)]; ok {
			return l
		}
	}
	return w.l.layouts[PushSetupName]
}
