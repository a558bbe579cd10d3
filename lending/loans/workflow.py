"""Loans: requested → approved (devices reserved) → active (handed over) → returned
(inspected by a technician, reviewed by a coordinator) — or lost, or a gift.

Devices move through the inventory's own lifecycle (inventory.workflow), so its guards,
permissions, race handling and history apply here too. A device belongs to one loan at
a time: its status says so, and a partial unique index on the loan's items enforces it.
Every function writes all or nothing.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.refusals import Refused, require
from inventory import workflow
from inventory.models import Category, Device
from inventory.models import Status as DeviceStatus
from lending.access import coordinates, households_visible_to
from lending.loans.gift import issue_gift_attestation
from lending.models import (
    Accessory,
    Enrolment,
    GiftAttestation,
    Loan,
    LoanDevice,
    LoanExtension,
    Return,
    SimCard,
)
from lending.states import (
    LendingError,
    clean_text,
    record_history,
    require_not_anonymised,
    set_status,
)

L = Loan.Status


def _loan_note(loan, text=""):
    label = _("Loan #%(number)s (%(household)s)") % {
        "number": loan.pk,
        "household": loan.household.code,
    }
    text = clean_text(text)
    return f"{label}: {text}" if text else label


def _require_coordinator(by, loan):
    require(by, "lending.approve_loan")
    if not coordinates(by, loan.programme):
        raise LendingError(_("Only the coordinators of this programme may decide on its loans."))


def allowed_categories(programme):
    categories = set(programme.lent_categories)
    if programme.lends_router:
        categories.add(Category.ROUTER_4G)
    return categories


def request_loan(*, enrolment, by, note=""):
    """A social worker (or a coordinator) asks for a loan for an enrolled household."""
    require(by, "lending.add_loan")
    if not households_visible_to(by).filter(pk=enrolment.household_id).exists():
        raise LendingError(_("You can only ask for loans for households you follow."))
    require_not_anonymised(enrolment.household)
    if enrolment.status != Enrolment.Status.ENROLLED:
        raise LendingError(
            _("%(household)s is not enrolled in “%(programme)s” (it is %(status)s).")
            % {
                "household": enrolment.household.code,
                "programme": enrolment.programme,
                "status": enrolment.get_status_display().lower(),
            }
        )
    if enrolment.loans.filter(status__in=Loan.OPEN).exists():
        raise LendingError(
            _("%(household)s already has a loan in progress in this programme.")
            % {"household": enrolment.household.code}
        )
    loan = Loan(
        household=enrolment.household,
        programme=enrolment.programme,
        enrolment=enrolment,
        requested_by=by,
        request_note=clean_text(note),
    )
    loan._history_user = by
    loan.save()
    return loan


def _check_dates(programme, starts_on, due_on):
    if starts_on is None:
        raise LendingError(_("Give the date the loan starts."))
    if due_on is None:
        try:
            due_on = starts_on + timedelta(days=programme.default_loan_days)
        except OverflowError:
            raise LendingError(_("Give the date the loan is due back.")) from None
    if due_on <= starts_on:
        raise LendingError(
            _("The due date (%(due)s) must come after the start date (%(start)s).")
            % {"due": due_on.strftime("%d/%m/%Y"), "start": starts_on.strftime("%d/%m/%Y")}
        )
    return due_on


def _check_device(programme, device):
    if device.category not in allowed_categories(programme):
        raise LendingError(
            _("%(tag)s is a %(category)s: “%(programme)s” does not lend those.")
            % {
                "tag": device.asset_tag,
                "category": device.get_category_display().lower(),
                "programme": programme,
            }
        )
    if device.status != DeviceStatus.READY:
        raise LendingError(
            _("%(tag)s is not ready to lend (it is “%(status)s”).")
            % {"tag": device.asset_tag, "status": device.get_status_display()}
        )


def _reserve_sim(loan, sim, by):
    if not loan.programme.lends_sim:
        raise LendingError(_("This programme does not lend SIM cards."))
    won = SimCard.objects.filter(pk=sim.pk, status=SimCard.Status.STOCK).update(
        status=SimCard.Status.LENT
    )
    if not won:
        raise LendingError(_("The SIM card %(sim)s is not in stock any more.") % {"sim": sim})
    sim.status = SimCard.Status.LENT
    record_history(sim, by=by, note=_loan_note(loan))


def _release_sim(loan, by, status=SimCard.Status.STOCK, note=""):
    sim = loan.sim
    if sim is None:
        return
    SimCard.objects.filter(pk=sim.pk).update(status=status)
    sim.status = status
    record_history(sim, by=by, note=_loan_note(loan, note))


def approve_loan(*, loan, by, devices, starts_on, due_on=None, sim=None, note=""):
    """The coordinator approves the loan and reserves its devices (ready → reserved) and
    SIM card. If any device is not available, nothing is reserved and the message
    names it."""
    _require_coordinator(by, loan)
    # The same device picked twice is one device.
    devices = list({device.pk: device for device in devices}.values())
    if not devices:
        raise LendingError(_("Choose at least one device to lend."))
    due_on = _check_dates(loan.programme, starts_on, due_on)
    enrolment = Enrolment.objects.get(pk=loan.enrolment_id)
    if enrolment.status != Enrolment.Status.ENROLLED:
        raise LendingError(
            _("%(household)s is no longer enrolled in “%(programme)s” (it is %(status)s).")
            % {
                "household": loan.household.code,
                "programme": loan.programme,
                "status": enrolment.get_status_display().lower(),
            }
        )
    try:
        with transaction.atomic():
            set_status(
                loan,
                expected=L.REQUESTED,
                target=L.APPROVED,
                by=by,
                note=note,
                starts_on=starts_on,
                due_on=due_on,
                sim=sim,
            )
            for device in devices:
                _reserve_device(loan, device, by)
            if sim is not None:
                _reserve_sim(loan, sim, by)
    except Refused as error:
        loan.refresh_from_db()
        raise LendingError(error.message) from None
    except IntegrityError:
        # The partial unique index on open loans' SIM cards.
        loan.refresh_from_db()
        raise LendingError(
            _("The SIM card %(sim)s is already in another loan.") % {"sim": sim}
        ) from None
    return loan


def _reserve_device(loan, device, by):
    _check_device(loan.programme, device)
    try:
        with transaction.atomic():
            LoanDevice.objects.create(loan=loan, device=device)
    except IntegrityError:
        raise LendingError(
            _("%(tag)s is already in another loan.") % {"tag": device.asset_tag}
        ) from None
    try:
        workflow.transition_device(
            device=device,
            target=DeviceStatus.RESERVED,
            by=by,
            note=_loan_note(loan),
            process=workflow.LOAN,
            holder_ref=str(loan.pk),
        )
    except Refused as error:
        raise LendingError(f"{device.asset_tag}: {error.message}") from None


def cancel_loan(*, loan, by, reason):
    """Cancel a loan before the hand-over; its reserved devices become ready again."""
    reason = clean_text(reason)
    if loan.status == L.REQUESTED and loan.requested_by_id == by.pk:
        pass  # whoever asked may take the request back
    else:
        _require_coordinator(by, loan)
    if loan.status not in (L.REQUESTED, L.APPROVED):
        raise LendingError(
            _("Only a loan not handed over yet can be cancelled (this one is “%(status)s”).")
            % {"status": loan.get_status_display()}
        )
    if not reason:
        raise LendingError(_("Say why the loan is cancelled."))
    with transaction.atomic():
        was_approved = loan.status == L.APPROVED
        # Only from the status seen: had it been approved since, its devices would stay
        # reserved for a cancelled loan.
        set_status(
            loan,
            expected=loan.status,
            target=L.CANCELLED,
            by=by,
            note=reason,
            closed_at=timezone.now(),
        )
        if was_approved:
            for item in _active_items(loan):
                workflow.transition_device(
                    device=item.device,
                    target=DeviceStatus.READY,
                    by=by,
                    # The reason may speak of the household: it stays on the loan,
                    # never in the device's history that the workshop reads.
                    note=_loan_note(loan),
                    process=workflow.LOAN,
                    holder_ref=str(loan.pk),
                )
            _release_sim(loan, by)
        _close_items(loan, by)
    return loan


def _close_items(loan, by):
    # Each device was moved out of the loan's statuses just before, which freed it; a
    # device left in place must not stay held by a closed loan either.
    loan.items.update(active=False)
    workflow.release_devices(process=workflow.LOAN, holder_ref=str(loan.pk), by=by)


def _active_items(loan):
    return list(loan.items.filter(active=True).select_related("device"))


def hand_over_loan(*, loan, by, signed_on, accessories=(), note=""):
    """The devices leave with the household (reserved → lent) once the agreement is
    signed; the accessories given are recorded, to be checked at the return."""
    require(by, "inventory.hand_over_device")
    if signed_on is None:
        raise LendingError(_("Record the date the loan agreement was signed."))
    if signed_on > timezone.localdate():
        raise LendingError(_("The agreement cannot be signed in the future."))
    _check_accessories(accessories)
    try:
        with transaction.atomic():
            set_status(
                loan,
                expected=L.APPROVED,
                target=L.ACTIVE,
                by=by,
                note=note,
                handed_over_at=timezone.now(),
                agreement_signed_on=signed_on,
                accessories_given=sorted(accessories),
            )
            for item in _active_items(loan):
                workflow.transition_device(
                    device=item.device,
                    target=DeviceStatus.LENT,
                    by=by,
                    note=_loan_note(loan),
                    process=workflow.LOAN,
                    holder_ref=str(loan.pk),
                )
    except Refused as error:
        loan.refresh_from_db()
        raise LendingError(error.message) from None
    return loan


def _check_accessories(accessories):
    unknown = {str(value) for value in accessories} - set(Accessory.values)
    if unknown:
        raise LendingError(
            _("Unknown accessories: %(list)s") % {"list": ", ".join(sorted(unknown))}
        )


def extend_loan(*, loan, by, due_on, reason):
    """Push the due date back, with the reason; reminders follow the new date."""
    _require_coordinator(by, loan)
    reason = clean_text(reason)
    if not reason:
        raise LendingError(_("Say why the loan is extended."))
    if loan.status not in (L.APPROVED, L.ACTIVE):
        raise LendingError(_("Only a loan in progress can be extended."))
    if due_on is None or due_on <= loan.due_on:
        raise LendingError(
            _("The new due date must come after the current one (%(due)s).")
            % {"due": loan.due_on.strftime("%d/%m/%Y")}
        )
    with transaction.atomic():
        previous = loan.due_on
        set_status(
            loan, expected=loan.status, target=loan.status, by=by, note=reason, due_on=due_on
        )
        LoanExtension.objects.create(
            loan=loan, previous_due_on=previous, new_due_on=due_on, reason=reason, by=by
        )
    return loan


def inspect_return(*, loan, by, conditions, accessories_back=(), sim_back=False, notes=""):
    """The technician checks what came back. `conditions` maps each lent device's pk to
    (condition, note); a device marked missing stays lent until the review."""
    require(by, "lending.inspect_return")
    if loan.status != L.ACTIVE:
        raise LendingError(
            _(
                "Only a loan whose devices are with the household can come back "
                "(this one is “%(status)s”)."
            )
            % {"status": loan.get_status_display()}
        )
    _check_accessories(accessories_back)
    items = _active_items(loan)
    missing = [item.device.asset_tag for item in items if item.device_id not in conditions]
    if missing:
        raise LendingError(
            _("Say in which condition each device came back: %(tags)s.")
            % {"tags": ", ".join(missing)}
        )
    try:
        with transaction.atomic():
            set_status(loan, expected=L.ACTIVE, target=L.RETURNED, by=by, note=notes)
            Return.objects.create(
                loan=loan,
                inspected_by=by,
                inspected_at=timezone.now(),
                accessories_back=sorted(accessories_back),
                sim_back=bool(sim_back),
                notes=clean_text(notes),
            )
            for item in items:
                _inspect_item(loan, item, conditions[item.device_id], by)
    except Refused as error:
        loan.refresh_from_db()
        raise LendingError(error.message) from None
    return loan


def _inspect_item(loan, item, found, by):
    # (condition, note), or the condition alone.
    condition, note = found if isinstance(found, (tuple, list)) else (found, "")
    if condition not in LoanDevice.Condition.values:
        raise LendingError(_("Unknown condition: %(value)s") % {"value": condition})
    item.condition, item.inspection_note = condition, clean_text(note)
    item.save(update_fields=["condition", "inspection_note"])
    if condition != LoanDevice.Condition.MISSING:
        workflow.transition_device(
            device=item.device,
            target=DeviceStatus.RETURNED,
            by=by,
            note=_loan_note(loan, item.get_condition_display()),
            process=workflow.LOAN,
            holder_ref=str(loan.pk),
        )


def review_return(*, loan, by, decisions, damage_noted=False, note=""):
    """The coordinator decides what happens to each device: back to erasure (before the
    next family, always), to erasure then repair, to recycling, or lost."""
    _require_coordinator(by, loan)
    note = clean_text(note)
    record = getattr(loan, "return_record", None)
    if loan.status != L.RETURNED or record is None or record.reviewed_at:
        raise LendingError(_("This loan has no return waiting for review."))
    items = _active_items(loan)
    undecided = [item.device.asset_tag for item in items if not decisions.get(item.device_id)]
    if undecided:
        raise LendingError(
            _("Decide what happens to each device: %(tags)s.") % {"tags": ", ".join(undecided)}
        )
    try:
        with transaction.atomic():
            # Claimed first: of two coordinators reviewing at once, one does it.
            claimed = Return.objects.filter(pk=record.pk, reviewed_at__isnull=True).update(
                reviewed_by=by,
                reviewed_at=timezone.now(),
                damage_noted=bool(damage_noted),
                review_note=clean_text(note),
            )
            if not claimed:
                raise LendingError(_("Someone else reviewed this return in the meantime."))
            for item in items:
                _decide_item(loan, item, decisions[item.device_id], by, note)
            _close_items(loan, by)
            every_item_lost = all(item.decision == LoanDevice.Decision.LOST for item in items)
            set_status(
                loan,
                expected=L.RETURNED,
                target=L.LOST if every_item_lost else L.RETURNED,
                by=by,
                note=note or _("Return reviewed"),
                closed_at=timezone.now(),
            )
            sim_status = SimCard.Status.STOCK if record.sim_back else SimCard.Status.LOST
            _release_sim(loan, by, status=sim_status)
    except Refused as error:
        loan.refresh_from_db()
        raise LendingError(error.message) from None
    return loan


def _decide_item(loan, item, decision, by, note):
    D = LoanDevice.Decision
    missing = item.condition == LoanDevice.Condition.MISSING
    if decision not in D.values:
        raise LendingError(_("Unknown decision: %(value)s") % {"value": decision})
    if missing != (decision == D.LOST):
        raise LendingError(
            _(
                "%(tag)s: a device that did not come back can only be recorded as lost, "
                "and a device that came back cannot."
            )
            % {"tag": item.device.asset_tag}
        )
    # The reviewer's note stays on the loan: the device's history (read by the workshop,
    # kept after the household is anonymised) gets the decision only.
    text = _loan_note(loan, str(D(decision).label))
    if decision == D.LOST:
        workflow.transition_device(
            device=item.device,
            target=DeviceStatus.LOST,
            by=by,
            note=text,
            process=workflow.LOAN,
            holder_ref=str(loan.pk),
        )
    elif decision == D.RECYCLE and not item.device.drives.exists():
        workflow.transition_device(
            device=item.device,
            target=DeviceStatus.RECYCLED,
            by=by,
            note=text,
            process=workflow.LOAN,
            holder_ref=str(loan.pk),
        )
    else:
        # Whatever comes next, a returned device is wiped first.
        workflow.transition_device(
            device=item.device,
            target=DeviceStatus.WIPING,
            by=by,
            note=text,
            process=workflow.LOAN,
            holder_ref=str(loan.pk),
        )
    item.decision, item.active = decision, False
    item.save(update_fields=["decision", "active"])


def convert_to_gift(*, loan, by, note="", sim_outcome=""):
    """At the end of a programme, the household keeps its devices (lent → given) and
    receives a numbered gift attestation (lending.loans.gift). Its SIM line, if any, is
    closed or transferred to the household: `sim_outcome` says which (GiftAttestation.
    SimOutcome), recorded on the SIM card with its history."""
    _require_coordinator(by, loan)
    note = clean_text(note)
    outcomes = GiftAttestation.SimOutcome
    try:
        with transaction.atomic():
            set_status(
                loan,
                expected=L.ACTIVE,
                target=L.GIFT,
                by=by,
                note=note,
                closed_at=timezone.now(),
            )
            # After the status check, so that a loan not handed over hears that first.
            if loan.sim_id is None:
                sim_outcome = outcomes.NONE
            elif sim_outcome not in (outcomes.CLOSE, outcomes.TRANSFER):
                raise LendingError(
                    _(
                        "Say what happens to the SIM line %(sim)s: closed by the association, "
                        "or transferred to the household."
                    )
                    % {"sim": loan.sim}
                )
            items = _active_items(loan)
            for item in items:
                workflow.transition_device(
                    device=item.device,
                    target=DeviceStatus.GIVEN,
                    by=by,
                    # The loan only: the coordinator's words about the household stay on
                    # the loan (anonymised with it), not in the device's history that
                    # technicians read.
                    note=_loan_note(loan),
                    process=workflow.LOAN,
                    holder_ref=str(loan.pk),
                )
            _close_items(loan, by)
            if sim_outcome:
                status = {
                    outcomes.TRANSFER: SimCard.Status.TRANSFERRED,
                    outcomes.CLOSE: SimCard.Status.TERMINATED,
                }[sim_outcome]
                _release_sim(loan, by, status=status, note=outcomes(sim_outcome).label)
            issue_gift_attestation(
                loan=loan,
                devices=[item.device for item in items],
                by=by,
                sim_outcome=sim_outcome,
                at=loan.closed_at,
            )
    except Refused as error:
        loan.refresh_from_db()
        raise LendingError(error.message) from None
    return loan


def declare_loan_lost(*, loan, by, note):
    """Nothing will come back (the household cannot be reached): devices are lost."""
    _require_coordinator(by, loan)
    note = clean_text(note)
    if not note:
        raise LendingError(_("Say what happened: the funders' report needs it."))
    with transaction.atomic():
        set_status(
            loan, expected=L.ACTIVE, target=L.LOST, by=by, note=note, closed_at=timezone.now()
        )
        for item in _active_items(loan):
            workflow.transition_device(
                device=item.device,
                target=DeviceStatus.LOST,
                by=by,
                # Why it was lost is about the household: kept on the loan only.
                note=_loan_note(loan),
                process=workflow.LOAN,
                holder_ref=str(loan.pk),
            )
        _close_items(loan, by)
        _release_sim(loan, by, status=SimCard.Status.LOST)
    return loan


def ready_devices_for(programme):
    """Devices a coordinator may pick for a loan of this programme."""
    return (
        Device.objects.ready()
        .filter(category__in=allowed_categories(programme))
        .select_related("site", "location")
    )
