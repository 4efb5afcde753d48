"""The events table (``events``): an event's item, the copies it carries (its facilitator,
its series, its price) and its indexes. ``chalicelib.models`` names it beside the other
tables, with the values its attributes take."""

from __future__ import annotations

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.dynamodb import Table


class FacilitatorCopy(MapAttribute):
    id = UnicodeAttribute()
    name = UnicodeAttribute()
    crm_id = UnicodeAttribute()


class Price(MapAttribute):
    """Amount in the currency's minor unit (Stripe's rules), currency ISO 4217 lower-case."""

    amount = NumberAttribute()
    currency = UnicodeAttribute()


class SeriesCopy(MapAttribute):
    id = UnicodeAttribute()
    name = UnicodeAttribute()
    booking_mode = UnicodeAttribute()
    # A paid course's price for the whole course (the series'), so that booking the course
    # reads it from the dates it reads anyway; a date has no price of its own.
    course_price = Price(null=True)


class SeriesOccurrences(GlobalSecondaryIndex):
    """Sparse: only a series' occurrences carry ``series_id``; one Query lists a series' dates
    in order."""

    class Meta:
        index_name = "by_series"
        projection = AllProjection()

    series_id = UnicodeAttribute(hash_key=True)
    starts_at = UnicodeAttribute(range_key=True)


class UnfinishedChanges(GlobalSecondaryIndex):
    """Sparse: only an event whose cancellation or move its bookings have not all followed
    carries ``unfinished``, so the job that finishes them reads nothing else."""

    class Meta:
        index_name = "unfinished_changes"
        projection = AllProjection()

    unfinished = UnicodeAttribute(hash_key=True)


class FacilitatorEvents(GlobalSecondaryIndex):
    """Sparse: events carrying ``facilitator_id`` (all made since it was added), by start."""

    class Meta:
        index_name = "by_facilitator"
        projection = AllProjection()

    facilitator_id = UnicodeAttribute(hash_key=True)
    starts_at = UnicodeAttribute(range_key=True)


class NoShowsDue(GlobalSecondaryIndex):
    """Sparse: only an event where someone was checked in and whose no-shows are not yet
    marked carries ``awaiting_no_shows``; by ``ends_at``, so the no-show job reads only the
    events whose grace has passed."""

    class Meta:
        index_name = "no_shows_due"
        projection = AllProjection()

    awaiting_no_shows = UnicodeAttribute(hash_key=True)
    ends_at = UnicodeAttribute(range_key=True)


class UpcomingIndex(GlobalSecondaryIndex):
    """Sparse: only published events carry ``listing``, so unpublished ones drop out."""

    class Meta:
        index_name = "upcoming"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    starts_at = UnicodeAttribute(range_key=True)


class Event(Table):
    class Meta(Table.Meta):
        table_name = "events"

    event_id = UnicodeAttribute(hash_key=True)
    listing = UnicodeAttribute(null=True)
    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    kind = UnicodeAttribute()
    starts_at = UnicodeAttribute()
    ends_at = UnicodeAttribute()
    timezone = UnicodeAttribute()
    capacity = NumberAttribute()
    seats_taken = NumberAttribute(default=0)
    # The waiting list, first in line first: the user ids of the event's waitlisted bookings.
    # It lives on the event item so every change to it is a condition on that one item,
    # read back strongly consistent, and a position is an index into it.
    waitlist = ListAttribute(of=UnicodeAttribute, default=list)
    waitlist_count = NumberAttribute(default=0)
    # Joins ever made: only grows, so a join conditioned on it knows nobody joined since its
    # read (the count alone can return to the same number, a join and a leave later).
    waitlist_joins = NumberAttribute(default=0)
    # How many may wait; absent means as many as there are seats (up to settings.waitlist_max).
    waitlist_capacity = NumberAttribute(null=True)
    cancellable_until_hours = NumberAttribute(default=0)
    # ``starts_at`` less ``cancellable_until_hours``, kept beside them so a cancellation's
    # transaction can condition on it (a condition cannot do date arithmetic).
    cancellable_until = UnicodeAttribute(null=True)
    facilitator = FacilitatorCopy()
    created_at = UnicodeAttribute()
    # When starts_at or ends_at last changed (absent: never): calendar files' SEQUENCE.
    schedule_changed_at = UnicodeAttribute(null=True)
    # The starts_at whose reminders were all handed to the webhook pipeline; a moved event
    # no longer matches it, which re-arms its reminders.
    reminded_for = UnicodeAttribute(null=True)
    upcoming = UpcomingIndex()
    # The series this event is an occurrence of (absent: a one-off event).
    series = SeriesCopy(null=True)
    series_id = UnicodeAttribute(null=True)
    by_series = SeriesOccurrences()
    # When an admin cancelled the event (absent: not cancelled); ``listing`` goes with it.
    cancelled_at = UnicodeAttribute(null=True)
    # Moves of starts_at/ends_at so far: part of every calendar SEQUENCE of its bookings.
    revision = NumberAttribute(default=0)
    # The admin's words when cancelling, kept for the admin views.
    cancellation_note = UnicodeAttribute(null=True)
    # UNFINISHED_CANCEL / UNFINISHED_MOVE while bookings still have to follow the change.
    unfinished = UnicodeAttribute(null=True)
    # Absent: free. A paid event's seats are held while the attendee pays.
    price = Price(null=True)
    # Share of the price refunded when the attendee cancels in time (admins refund all).
    refund_percent = NumberAttribute(default=100)
    # Each unpaid hold's "<hold_expires_at> <booking_id>", ADDed in the write that takes its
    # seat and DELETEd in the one that confirms or frees it: a listing counts the lapsed ones
    # as free seats without reading a booking (absent: no hold).
    hold_expiries = UnicodeSetAttribute(null=True)
    unfinished_changes = UnfinishedChanges()
    # The facilitator's id again, top-level (a copy of ``facilitator.id``): a facilitator's
    # own events are one Query of ``by_facilitator``, upcoming and past, in start order.
    facilitator_id = UnicodeAttribute(null=True)
    by_facilitator = FacilitatorEvents()
    # The first check-in (absent: attendance never taken, so nobody becomes a no-show).
    attendance_taken_at = UnicodeAttribute(null=True)
    # ATTENDANCE_TAKEN from the first check-in until the no-show pass is done (sparse index).
    awaiting_no_shows = UnicodeAttribute(null=True)
    no_shows_marked_at = UnicodeAttribute(null=True)
    no_shows_due = NoShowsDue()
