"""Texts of the console's outbox page (``/staff/utboks``), bokmål and nynorsk. The failure
and cause keys are those ``notifier.outbox_admin.explain`` returns."""

from __future__ import annotations

NB: dict[str, str] = {
    "outbox_title": "Utboks",
    "outbox_intro": (
        "Meldinger som venter, er sendt eller har feilet. Nyeste først. En melding som har "
        "feilet, kan prøves igjen; en melding som venter, kan avbrytes."
    ),
    "filter_status": "Status",
    "filter_kind": "Type",
    "filter_all": "Alle",
    "filter_button": "Vis",
    "summary": "Antall per status",
    "status_pending": "Venter",
    "status_sent": "Sendt",
    "status_failed": "Feilet",
    "status_cancelled": "Avbrutt",
    "status_erased": "Slettet",
    "kind_alert": "Varsel",
    "kind_digest": "Sammendrag",
    "kind_operator": "Driftsmelding",
    "kind_confirm": "Bekreftelse av abonnement",
    "kind_manage": "Lenke til innstillinger",
    "kind_test": "Test fra redaksjonen",
    "col_id": "Nr.",
    "col_kind": "Type",
    "col_to": "Mottaker",
    "col_subject": "Emne",
    "col_status": "Status",
    "col_attempts": "Forsøk",
    "col_next": "Neste forsøk",
    "col_created": "Lagt i kø",
    "col_error": "Siste feil",
    "col_actions": "Handling",
    "no_subject": "(uten emne)",
    "no_address": "(ingen adresse)",
    "none": "Ingen meldinger passer til filteret.",
    "raw_label": "Teknisk detalj",
    "retry": "Prøv igjen",
    "cancel": "Avbryt sending",
    "page_of": "Side {page} av {pages} ({total} meldinger)",
    "previous": "Forrige side",
    "next": "Neste side",
    "ok_retried": "Meldingen er lagt i kø igjen og sendes i neste utsending.",
    "ok_cancelled": "Meldingen er avbrutt og blir ikke sendt.",
    "err_missing": "Fant ikke meldingen.",
    "err_not_failed": "Bare meldinger som har feilet, kan prøves igjen.",
    "err_not_pending": "Bare meldinger som venter, kan avbrytes.",
    "err_in_flight": "Meldingen sendes akkurat nå. Prøv igjen om et minutt.",
    "err_suppressed": (
        "Adressen er sperret fordi e-post til den er avvist gjentatte ganger. Meldingen kan "
        "ikke sendes igjen."
    ),
    "err_erased": "Mottakeren er slettet etter eget ønske. Meldingen kan ikke sendes igjen.",
    "err_unbuildable": "Meldingen kunne ikke lages og kan ikke sendes igjen.",
    "failure_bounce": (
        "Mottakerens e-posttjener avviste adressen for godt (for eksempel finnes den ikke)."
    ),
    "failure_refused": "Mottakerens e-posttjener nektet å ta imot meldingen.",
    "failure_invalid": (
        "Meldingen kunne ikke lages eller sendes slik den er (ugyldig adresse eller innhold)."
    ),
    "failure_gave_up": "Vi ga opp etter {attempts} forsøk med midlertidige feil.",
    "failure_suppressed": (
        "Ikke sendt: adressen ble sperret etter gjentatte avvisninger mens meldingen ventet."
    ),
    "failure_other": "Meldingen kunne ikke sendes.",
    "failure_cancelled": "Avbrutt av redaksjonen. Den blir ikke sendt.",
    "failure_erased": "Ikke sendt: mottakeren ble slettet etter eget ønske.",
    "waiting_retry": "Forsøkt {attempts} ganger; prøves igjen automatisk.",
    "cause_smtp_4xx": (
        "Siste svar: e-posttjeneren ba oss prøve igjen senere (midlertidig feil, kode {code})."
    ),
    "cause_smtp_5xx": "Siste svar: e-posttjeneren avviste for godt (kode {code}).",
    "cause_smtp_unavailable": "Siste svar: vi fikk ikke kontakt med vår e-posttjener.",
    "cause_smtp_connection": "Siste svar: forbindelsen til e-posttjeneren sviktet.",
    "cause_render": "Årsak: en feil i malen for e-posten.",
    "cause_mail_folder": "Årsak: e-posten kunne ikke skrives til mappen for utgående e-post.",
    "cause_suppressed": "Årsak: adressen er sperret etter gjentatte avvisninger.",
    "cause_erased": "Årsak: mottakeren er slettet; teksten er fjernet.",
    "cause_unexpected": "Årsak: en uventet feil under sendingen.",
    "cause_invalid": "Årsak: meldingen kunne ikke settes sammen.",
    "cause_address": "Årsak: mottakeradressen er ikke gyldig.",
    "cause_header": "Årsak: et meldingshode var ugyldig.",
    "cause_other": "Årsak: se den tekniske detaljen.",
    "col_channel": "Kanal",
    "failure_push": (
        "Push-varselet kom ikke fram: push-tjenesten eller varslingskanalen tok ikke imot det."
    ),
    "channel_email": "E-post",
    "channel_webpush": "Push i nettleser",
    "channel_apprise": "Varslingskanal (Apprise)",
    "to_erased": "(slettet mottaker)",
    "push_devices": "{n} enheter med push nå",
    "push_device": "1 enhet med push nå",
    "push_no_devices": "ingen enheter med push nå",
    "push_no_targets": "ingen varslingskanaler nå",
    "targets_label": "Varslingskanaler nå",
    "cause_push_gone": (
        "Siste svar: push-tjenesten sier at abonnementet i nettleseren er borte "
        "(kode {code}); enheten er fjernet."
    ),
    "cause_push_status": "Siste svar: push-tjenesten svarte med kode {code}.",
    "cause_push_unreachable": "Siste svar: vi fikk ikke kontakt med push-tjenesten.",
    "cause_push_gate": "Årsak: adressen til push-tjenesten ligger på et internt nett.",
    "cause_push_none": "Årsak: mottakeren har ingen enheter med push lenger.",
    "cause_target_none": "Årsak: mottakeren har ingen varslingskanaler lenger.",
    "cause_target_refused": "Siste svar: varslingskanalen tok ikke imot meldingen.",
    "cause_target_key": (
        "Årsak: adressen til varslingskanalen kan ikke leses etter at nøkkelen ble byttet."
    ),
}

NN: dict[str, str] = {
    "outbox_title": "Utboks",
    "outbox_intro": (
        "Meldingar som ventar, er sende eller har feila. Nyaste først. Ei melding som har "
        "feila, kan prøvast igjen; ei melding som ventar, kan avbrytast."
    ),
    "filter_status": "Status",
    "filter_kind": "Type",
    "filter_all": "Alle",
    "filter_button": "Vis",
    "summary": "Tal per status",
    "status_pending": "Ventar",
    "status_sent": "Send",
    "status_failed": "Feila",
    "status_cancelled": "Avbroten",
    "status_erased": "Sletta",
    "kind_alert": "Varsel",
    "kind_digest": "Samandrag",
    "kind_operator": "Driftsmelding",
    "kind_confirm": "Stadfesting av abonnement",
    "kind_manage": "Lenkje til innstillingar",
    "kind_test": "Test frå redaksjonen",
    "col_id": "Nr.",
    "col_kind": "Type",
    "col_to": "Mottakar",
    "col_subject": "Emne",
    "col_status": "Status",
    "col_attempts": "Forsøk",
    "col_next": "Neste forsøk",
    "col_created": "Lagd i kø",
    "col_error": "Siste feil",
    "col_actions": "Handling",
    "no_subject": "(utan emne)",
    "no_address": "(inga adresse)",
    "none": "Ingen meldingar passar til filteret.",
    "raw_label": "Teknisk detalj",
    "retry": "Prøv igjen",
    "cancel": "Avbryt sending",
    "page_of": "Side {page} av {pages} ({total} meldingar)",
    "previous": "Førre side",
    "next": "Neste side",
    "ok_retried": "Meldinga er lagd i kø igjen og blir send i neste utsending.",
    "ok_cancelled": "Meldinga er avbroten og blir ikkje send.",
    "err_missing": "Fann ikkje meldinga.",
    "err_not_failed": "Berre meldingar som har feila, kan prøvast igjen.",
    "err_not_pending": "Berre meldingar som ventar, kan avbrytast.",
    "err_in_flight": "Meldinga blir send akkurat no. Prøv igjen om eit minutt.",
    "err_suppressed": (
        "Adressa er sperra fordi e-post til henne er avvist fleire gonger. Meldinga kan ikkje "
        "sendast igjen."
    ),
    "err_erased": "Mottakaren er sletta etter eige ønske. Meldinga kan ikkje sendast igjen.",
    "err_unbuildable": "Meldinga kunne ikkje lagast og kan ikkje sendast igjen.",
    "failure_bounce": (
        "E-posttenaren til mottakaren avviste adressa for godt (til dømes finst ho ikkje)."
    ),
    "failure_refused": "E-posttenaren til mottakaren nekta å ta imot meldinga.",
    "failure_invalid": (
        "Meldinga kunne ikkje lagast eller sendast slik ho er (ugyldig adresse eller innhald)."
    ),
    "failure_gave_up": "Vi gav opp etter {attempts} forsøk med mellombelse feil.",
    "failure_suppressed": (
        "Ikkje send: adressa vart sperra etter fleire avvisingar medan meldinga venta."
    ),
    "failure_other": "Meldinga kunne ikkje sendast.",
    "failure_cancelled": "Avbroten av redaksjonen. Ho blir ikkje send.",
    "failure_erased": "Ikkje send: mottakaren vart sletta etter eige ønske.",
    "waiting_retry": "Forsøkt {attempts} gonger; blir prøvd igjen automatisk.",
    "cause_smtp_4xx": (
        "Siste svar: e-posttenaren bad oss prøve igjen seinare (mellombels feil, kode {code})."
    ),
    "cause_smtp_5xx": "Siste svar: e-posttenaren avviste for godt (kode {code}).",
    "cause_smtp_unavailable": "Siste svar: vi fekk ikkje kontakt med e-posttenaren vår.",
    "cause_smtp_connection": "Siste svar: sambandet til e-posttenaren svikta.",
    "cause_render": "Årsak: ein feil i malen for e-posten.",
    "cause_mail_folder": "Årsak: e-posten kunne ikkje skrivast til mappa for utgåande e-post.",
    "cause_suppressed": "Årsak: adressa er sperra etter fleire avvisingar.",
    "cause_erased": "Årsak: mottakaren er sletta; teksten er fjerna.",
    "cause_unexpected": "Årsak: ein uventa feil under sendinga.",
    "cause_invalid": "Årsak: meldinga kunne ikkje setjast saman.",
    "cause_address": "Årsak: mottakaradressa er ikkje gyldig.",
    "cause_header": "Årsak: eit meldingshovud var ugyldig.",
    "cause_other": "Årsak: sjå den tekniske detaljen.",
    "col_channel": "Kanal",
    "failure_push": (
        "Push-varselet kom ikkje fram: push-tenesta eller varslingskanalen tok ikkje imot det."
    ),
    "channel_email": "E-post",
    "channel_webpush": "Push i nettlesar",
    "channel_apprise": "Varslingskanal (Apprise)",
    "to_erased": "(sletta mottakar)",
    "push_devices": "{n} einingar med push no",
    "push_device": "1 eining med push no",
    "push_no_devices": "ingen einingar med push no",
    "push_no_targets": "ingen varslingskanalar no",
    "targets_label": "Varslingskanalar no",
    "cause_push_gone": (
        "Siste svar: push-tenesta seier at abonnementet i nettlesaren er borte "
        "(kode {code}); eininga er fjerna."
    ),
    "cause_push_status": "Siste svar: push-tenesta svara med kode {code}.",
    "cause_push_unreachable": "Siste svar: vi fekk ikkje kontakt med push-tenesta.",
    "cause_push_gate": "Årsak: adressa til push-tenesta ligg på eit internt nett.",
    "cause_push_none": "Årsak: mottakaren har ingen einingar med push lenger.",
    "cause_target_none": "Årsak: mottakaren har ingen varslingskanalar lenger.",
    "cause_target_refused": "Siste svar: varslingskanalen tok ikkje imot meldinga.",
    "cause_target_key": (
        "Årsak: adressa til varslingskanalen kan ikkje lesast etter at nøkkelen vart bytt."
    ),
}

TEXTS: dict[str, dict[str, str]] = {"nb": NB, "nn": NN}
