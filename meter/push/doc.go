// Package push is the meter's proactive reporting (IC 40 push setup): what
// a push carries (push_object_list), where it goes and how
// (send_destination_and_method), when it may go (communication_window,
// randomisation_start_interval) and how often it is tried again
// (number_of_retries, repetition_delay); the queue of pushes waiting to go;
// and the encoding of one push as a DLMS Data-Notification (package dlms)
// whose body is the structure of the listed attributes' values.
//
// # No goroutines
//
// A Queue is advanced by the meter's Step: Trigger schedules a push (after
// a random delay within the randomisation interval and, when windows are
// configured, not before the next window opens), Due hands out the pushes
// whose time has come, and the outcome a Pusher reports — from any
// goroutine, any time later — is picked up by the next Due, which
// reschedules a failed push after the repetition delay until its retries
// are used up. A last-gasp push (power failing) goes at once and is never
// repeated.
//
// Setup and Destination are plain data. Queue is for one owner, except
// Report, which is safe from any goroutine.
package push
