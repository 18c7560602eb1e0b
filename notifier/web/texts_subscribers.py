"""Texts of the console's subscriber pages (admin only), in bokmål (``nb``) and nynorsk
(``nn``), same keys. Role and cadence labels are the public sign-up form's
(``notifier.web.texts``), so staff and subscribers read the same words."""

from __future__ import annotations

from notifier.web.texts import TEXTS as PUBLIC

_SHARED_KEYS = (
    "role_kommunelege", "role_statsforvalter", "role_kommunikasjon", "role_annen",
    "cadence_immediate", "cadence_daily", "cadence_weekly",
)  # fmt: skip

NB: dict[str, str] = {
    "subs_title": "Abonnenter",
    "subs_intro": (
        "Søk etter abonnenter, se hva de følger, eksporter, importer og slett på forespørsel."
    ),
    "search_q": "E-postadresse eller navn",
    "search_place": "Kommune eller fylke",
    "search_place_hint": "Navn eller nummer, for eksempel Bergen eller 4601",
    "search_button": "Søk",
    "place_unknown": "Fant ingen kommune eller fylke som heter «{place}».",
    "col_email": "E-postadresse",
    "col_name": "Navn",
    "col_role": "Rolle",
    "col_region": "Kommune/fylke",
    "col_confirmed": "Bekreftet",
    "col_suppressed": "Sperret",
    "col_subscriptions": "Abonnement",
    "whole_country": "hele landet",
    "not_suppressed": "nei",
    "suppressed_erased": "ja (slettet)",
    "suppressed_bounced": "ja (avvist)",
    "no_subscribers": "Ingen abonnenter passer søket.",
    "subs_count": "{total} abonnenter, side {page} av {pages}.",
    "newer": "Forrige side",
    "older": "Neste side",
    "pages": "Sider",
    "tools": "Eksport og import",
    "export_all_button": "Last ned alle som CSV",
    "import_link": "Importer fra CSV",
    "export_title": "Eksporter abonnenter",
    "export_intro": (
        "Alle abonnenter med adresse, i importformatet og med kolonnen confirmed. Eksporten blir "
        "logget."
    ),
    # one subscriber
    "sub_title": "Abonnent",
    "profile": "Opplysninger",
    "f_email": "E-postadresse",
    "f_name": "Navn",
    "f_role": "Rolle",
    "f_region": "Kommune/fylke",
    "f_office": "Statsforvalterembete",
    "f_language": "Språk",
    "f_created": "Registrert",
    "f_confirmed": "Bekreftet",
    "lang_name_nb": "bokmål",
    "lang_name_nn": "nynorsk",
    "subscriptions": "Abonnement",
    "col_subtopic": "Emne",
    "col_cadence": "Hyppighet",
    "no_subscriptions": "Ingen abonnement.",
    "bounces": "Returnerte meldinger",
    "hard_bounces": "Harde returer siden siste levering",
    "suppressed_since": "Sperret siden",
    "suppression": "Sperret",
    "messages": "Siste meldinger",
    "col_subject": "Emnefelt",
    "col_kind": "Type",
    "col_status": "Status",
    "col_sent": "Sendt",
    "col_channel": "Kanal",
    "channel_email": "E-post",
    "channel_webpush": "Nettleservarsel",
    "channel_apprise": "Varslingskanal",
    "col_queued": "Lagt i utboksen",
    "col_carried": "Endringer (versjon)",
    "col_events": "Hendelser",
    "event_accepted": "godtatt",
    "event_retry": "prøves igjen",
    "event_deferred": "utsatt",
    "event_failed": "feilet",
    "f_digest_time": "Sammendrag",
    "f_quiet": "Stille timer for push",
    "digest_default": "standard (kl. {hour:02d}, ukentlig {day})",
    "digest_chosen": "kl. {hour:02d}, ukentlig {day}",
    "quiet_none": "ingen",
    "quiet_span": "kl. {start:02d}–{end:02d}",
    "weekday_0": "mandag",
    "weekday_1": "tirsdag",
    "weekday_2": "onsdag",
    "weekday_3": "torsdag",
    "weekday_4": "fredag",
    "weekday_5": "lørdag",
    "weekday_6": "søndag",
    "no_messages": "Ingen meldinger.",
    "not_sent": "ikke sendt",
    "subject_erased": "(tomt)",
    "status_pending": "venter",
    "status_sent": "sendt",
    "status_failed": "feilet",
    "status_cancelled": "avbrutt",
    "status_erased": "slettet",
    "kind_alert": "varsel",
    "kind_digest": "sammendrag",
    "kind_confirm": "bekreftelse",
    "kind_link": "lenke",
    "kind_operator": "drift",
    "actions": "Handlinger",
    "export_one_button": "Last ned data (JSON)",
    "export_one_hint": (
        "Det samme som abonnenten selv får fra innstillingssiden. Nedlastingen blir logget."
    ),
    "erase_heading": "Slett på forespørsel",
    "erase_intro": (
        "Sletter alt om personen: adresse, navn, sted, abonnement og returer, og tømmer "
        "meldingene til vedkommende. Adressen blir sperret, så ingen import legger den inn igjen."
        " Kan ikke angres."
    ),
    "erase_confirm": "Jeg bekrefter at personen har bedt om å bli slettet",
    "erase_button": "Slett abonnenten",
    "erase_unconfirmed": (
        "Kryss av for at personen har bedt om å bli slettet. Ingenting ble slettet."
    ),
    "erased_ok": "Abonnenten er slettet.",
    "back_to_list": "Tilbake til abonnentlisten",
    "subscriber_gone": "Abonnenten finnes ikke, eller er slettet.",
    # import
    "import_title": "Importer abonnenter",
    "import_intro": (
        "Last opp en CSV-fil med kolonnene email, name, role, region, subtopics, cadence og "
        "eventuelt office, slik kommandoen «notifier subscribers import» leser den. Du ser først "
        "hva filen vil gjøre; ingenting endres før du velger «Bruk filen»."
    ),
    "import_file": "CSV-fil",
    "import_file_hint": "UTF-8, høyst 2 MB.",
    "import_preview_button": "Forhåndsvis",
    "preview_title": "Forhåndsvisning av import",
    "preview_intro": "Slik vil filen «{filename}» endre abonnentene. Ingenting er endret ennå.",
    "preview_sha": "Filens SHA-256: {sha}",
    "sum_add": "Nye abonnenter",
    "sum_change": "Endres",
    "sum_same": "Uendret",
    "sum_refused": "Avvist (feil i linjen)",
    "sum_suppressed": "Hoppet over (sperret)",
    "col_line": "Linje",
    "col_changes": "Endringer",
    "col_reason": "Grunn",
    "nothing_to_apply": "Filen vil ikke endre noe.",
    "apply_button": "Bruk filen",
    "apply_hint": "Legger inn og endrer nøyaktig det som står over.",
    "another_file": "Velg en annen fil",
    "applied_ok": (
        "Filen er brukt: {add} nye, {change} endret, {same} uendret, {refused} avvist, "
        "{suppressed} hoppet over."
    ),
    "plan_changed": (
        "Abonnentene er endret siden forhåndsvisningen, så filen ville gjort noe annet nå. Se "
        "over den nye forhåndsvisningen."
    ),
    "upload_missing": "Velg en fil.",
    "upload_too_large": "Filen er for stor. Største tillatte størrelse er 2 MB.",
    "upload_type": (
        "Filen må være en CSV-fil (.csv eller .txt). Et Excel-regneark kan lagres som «CSV UTF-8»"
        " først."
    ),
    "upload_binary": "Filen er ikke en tekstfil. Lagre regnearket som «CSV UTF-8» og prøv igjen.",
    "upload_encoding": "Filen er ikke i tegnsettet UTF-8. Lagre den som «CSV UTF-8» og prøv igjen.",
    "upload_bad": "Skjemaet kunne ikke leses. Prøv igjen.",
    "upload_expired": "Forhåndsvisningen er for gammel eller ikke gyldig. Last opp filen på nytt.",
    "fatal_empty": "Filen er tom.",
    "fatal_missing_columns": (
        "Filen mangler kolonnen eller kolonnene {detail}. Første linje må være "
        "email,name,role,region,subtopics,cadence,office."
    ),
    "fatal_csv": "Filen kan ikke leses som CSV (linje {detail}).",
    "reason_email_invalid": "Ugyldig e-postadresse «{detail}».",
    "reason_email_local_unicode": (
        "Ugyldig e-postadresse «{detail}»: bokstaver som æ, ø og å kan ikke stå foran @."
    ),
    "reason_role": (
        "Ukjent rolle «{detail}». Bruk kommunelege, statsforvalter, kommunikasjon eller annen."
    ),
    "reason_region": "Ukjent kommune- eller fylkesnummer «{detail}».",
    "reason_office": "Ukjent statsforvalterembete «{detail}».",
    "reason_cadence": (
        "Ukjent hyppighet «{detail}». Bruk immediate (straks), daily (daglig) eller weekly "
        "(ukentlig)."
    ),
    "reason_subtopic": "Ukjent emne «{detail}».",
    "reason_no_subtopics": "Ingen emner. Fyll ut kolonnen subtopics.",
    "reason_name": (
        "Navnet «{detail}» har linjeskift eller usynlige tegn, eller er lengre enn 200 tegn."
    ),
    "reason_bounced_subscriber": "Adressen er sperret etter gjentatte returer.",
    "reason_unreadable": "Linjen kan ikke leses.",
    "reason_erased": "Personen har bedt om å bli slettet (slettet).",
    "reason_bounced": "Meldinger til adressen har kommet i retur gjentatte ganger (avvist).",
    "ch_email": "adresse",
    "ch_name": "navn",
    "ch_role": "rolle",
    "ch_region": "kommune/fylke",
    "ch_office": "embete",
    "ch_confirmed": "bekreftet",
    "ch_subscription": "emne",
    "none": "ingen",
    "reason_hour": (
        "Ugyldig klokkeslett «{detail}» i kolonnen digest_hour. Bruk en hel time fra 0 til 23 "
        "(for eksempel 8 eller 08:00), eller standard."
    ),
    "reason_weekday": (
        "Ugyldig ukedag «{detail}» i kolonnen digest_weekday. Bruk et navn (mandag til søndag, "
        "eller man til søn), et tall fra 1 (mandag) til 7 (søndag), eller standard."
    ),
    "reason_quiet": (
        "Ugyldig stilletid «{detail}» i kolonnene quiet_start og quiet_end. Fyll ut begge med "
        "to ulike hele timer fra 0 til 23 (for eksempel 22 og 7), eller skriv ingen i begge."
    ),
    "ch_digest_hour": "klokkeslett for sammendrag",
    "ch_digest_weekday": "ukedag for ukentlig sammendrag",
    "ch_quiet": "stilletid for push",
    "ch_default": "standard",
    "ch_hour_value": "kl. {hour:02d}",
    "more_lines": "… og {n} linjer til.",
}

NN: dict[str, str] = {
    "subs_title": "Abonnentar",
    "subs_intro": (
        "Søk etter abonnentar, sjå kva dei følgjer, eksporter, importer og slett på førespurnad."
    ),
    "search_q": "E-postadresse eller namn",
    "search_place": "Kommune eller fylke",
    "search_place_hint": "Namn eller nummer, til dømes Bergen eller 4601",
    "search_button": "Søk",
    "place_unknown": "Fann ingen kommune eller fylke som heiter «{place}».",
    "col_email": "E-postadresse",
    "col_name": "Namn",
    "col_role": "Rolle",
    "col_region": "Kommune/fylke",
    "col_confirmed": "Stadfesta",
    "col_suppressed": "Sperra",
    "col_subscriptions": "Abonnement",
    "whole_country": "heile landet",
    "not_suppressed": "nei",
    "suppressed_erased": "ja (sletta)",
    "suppressed_bounced": "ja (avvist)",
    "no_subscribers": "Ingen abonnentar passar søket.",
    "subs_count": "{total} abonnentar, side {page} av {pages}.",
    "newer": "Førre side",
    "older": "Neste side",
    "pages": "Sider",
    "tools": "Eksport og import",
    "export_all_button": "Last ned alle som CSV",
    "import_link": "Importer frå CSV",
    "export_title": "Eksporter abonnentar",
    "export_intro": (
        "Alle abonnentar med adresse, i importformatet og med kolonnen confirmed. Eksporten vert "
        "logga."
    ),
    "sub_title": "Abonnent",
    "profile": "Opplysningar",
    "f_email": "E-postadresse",
    "f_name": "Namn",
    "f_role": "Rolle",
    "f_region": "Kommune/fylke",
    "f_office": "Statsforvaltarembete",
    "f_language": "Språk",
    "f_created": "Registrert",
    "f_confirmed": "Stadfesta",
    "lang_name_nb": "bokmål",
    "lang_name_nn": "nynorsk",
    "subscriptions": "Abonnement",
    "col_subtopic": "Emne",
    "col_cadence": "Kor ofte",
    "no_subscriptions": "Ingen abonnement.",
    "bounces": "Returnerte meldingar",
    "hard_bounces": "Harde returar sidan siste levering",
    "suppressed_since": "Sperra sidan",
    "suppression": "Sperra",
    "messages": "Siste meldingar",
    "col_subject": "Emnefelt",
    "col_kind": "Type",
    "col_status": "Status",
    "col_sent": "Sendt",
    "col_channel": "Kanal",
    "channel_email": "E-post",
    "channel_webpush": "Nettlesarvarsel",
    "channel_apprise": "Varslingskanal",
    "col_queued": "Lagd i utboksen",
    "col_carried": "Endringar (versjon)",
    "col_events": "Hendingar",
    "event_accepted": "godteke",
    "event_retry": "blir prøvd igjen",
    "event_deferred": "utsett",
    "event_failed": "feila",
    "f_digest_time": "Samandrag",
    "f_quiet": "Stille timar for push",
    "digest_default": "standard (kl. {hour:02d}, vekentleg {day})",
    "digest_chosen": "kl. {hour:02d}, vekentleg {day}",
    "quiet_none": "ingen",
    "quiet_span": "kl. {start:02d}–{end:02d}",
    "weekday_0": "måndag",
    "weekday_1": "tysdag",
    "weekday_2": "onsdag",
    "weekday_3": "torsdag",
    "weekday_4": "fredag",
    "weekday_5": "laurdag",
    "weekday_6": "søndag",
    "no_messages": "Ingen meldingar.",
    "not_sent": "ikkje sendt",
    "subject_erased": "(tomt)",
    "status_pending": "ventar",
    "status_sent": "sendt",
    "status_failed": "feila",
    "status_cancelled": "avbroten",
    "status_erased": "sletta",
    "kind_alert": "varsel",
    "kind_digest": "samandrag",
    "kind_confirm": "stadfesting",
    "kind_link": "lenkje",
    "kind_operator": "drift",
    "actions": "Handlingar",
    "export_one_button": "Last ned data (JSON)",
    "export_one_hint": (
        "Det same som abonnenten sjølv får frå innstillingssida. Nedlastinga vert logga."
    ),
    "erase_heading": "Slett på førespurnad",
    "erase_intro": (
        "Slettar alt om personen: adresse, namn, stad, abonnement og returar, og tømmer "
        "meldingane til vedkomande. Adressa vert sperra, så ingen import legg henne inn att. Kan "
        "ikkje angrast."
    ),
    "erase_confirm": "Eg stadfestar at personen har bede om å bli sletta",
    "erase_button": "Slett abonnenten",
    "erase_unconfirmed": (
        "Kryss av for at personen har bede om å bli sletta. Ingenting vart sletta."
    ),
    "erased_ok": "Abonnenten er sletta.",
    "back_to_list": "Tilbake til abonnentlista",
    "subscriber_gone": "Abonnenten finst ikkje, eller er sletta.",
    "import_title": "Importer abonnentar",
    "import_intro": (
        "Last opp ei CSV-fil med kolonnane email, name, role, region, subtopics, cadence og "
        "eventuelt office, slik kommandoen «notifier subscribers import» les henne. Du ser først "
        "kva fila vil gjere; ingenting vert endra før du vel «Bruk fila»."
    ),
    "import_file": "CSV-fil",
    "import_file_hint": "UTF-8, høgst 2 MB.",
    "import_preview_button": "Førehandsvis",
    "preview_title": "Førehandsvising av import",
    "preview_intro": "Slik vil fila «{filename}» endre abonnentane. Ingenting er endra enno.",
    "preview_sha": "SHA-256 for fila: {sha}",
    "sum_add": "Nye abonnentar",
    "sum_change": "Vert endra",
    "sum_same": "Uendra",
    "sum_refused": "Avvist (feil i linja)",
    "sum_suppressed": "Hoppa over (sperra)",
    "col_line": "Linje",
    "col_changes": "Endringar",
    "col_reason": "Grunn",
    "nothing_to_apply": "Fila vil ikkje endre noko.",
    "apply_button": "Bruk fila",
    "apply_hint": "Legg inn og endrar nøyaktig det som står over.",
    "another_file": "Vel ei anna fil",
    "applied_ok": (
        "Fila er brukt: {add} nye, {change} endra, {same} uendra, {refused} avviste, {suppressed}"
        " hoppa over."
    ),
    "plan_changed": (
        "Abonnentane er endra sidan førehandsvisinga, så fila ville gjort noko anna no. Sjå over "
        "den nye førehandsvisinga."
    ),
    "upload_missing": "Vel ei fil.",
    "upload_too_large": "Fila er for stor. Største tillatne storleik er 2 MB.",
    "upload_type": (
        "Fila må vere ei CSV-fil (.csv eller .txt). Eit Excel-rekneark kan lagrast som «CSV "
        "UTF-8» først."
    ),
    "upload_binary": "Fila er ikkje ei tekstfil. Lagre reknearket som «CSV UTF-8» og prøv igjen.",
    "upload_encoding": (
        "Fila er ikkje i teiknsettet UTF-8. Lagre henne som «CSV UTF-8» og prøv igjen."
    ),
    "upload_bad": "Skjemaet kunne ikkje lesast. Prøv igjen.",
    "upload_expired": "Førehandsvisinga er for gammal eller ikkje gyldig. Last opp fila på nytt.",
    "fatal_empty": "Fila er tom.",
    "fatal_missing_columns": (
        "Fila manglar kolonnen eller kolonnane {detail}. Første linja må vere "
        "email,name,role,region,subtopics,cadence,office."
    ),
    "fatal_csv": "Fila kan ikkje lesast som CSV (linje {detail}).",
    "reason_email_invalid": "Ugyldig e-postadresse «{detail}».",
    "reason_email_local_unicode": (
        "Ugyldig e-postadresse «{detail}»: bokstavar som æ, ø og å kan ikkje stå framfor @."
    ),
    "reason_role": (
        "Ukjend rolle «{detail}». Bruk kommunelege, statsforvalter, kommunikasjon eller annen."
    ),
    "reason_region": "Ukjend kommune- eller fylkesnummer «{detail}».",
    "reason_office": "Ukjend statsforvaltarembete «{detail}».",
    "reason_cadence": (
        "Ukjend frekvens «{detail}». Bruk immediate (straks), daily (dagleg) eller weekly "
        "(vekentleg)."
    ),
    "reason_subtopic": "Ukjend emne «{detail}».",
    "reason_no_subtopics": "Ingen emne. Fyll ut kolonnen subtopics.",
    "reason_name": (
        "Namnet «{detail}» har linjeskift eller usynlege teikn, eller er lengre enn 200 teikn."
    ),
    "reason_bounced_subscriber": "Adressa er sperra etter gjentekne returar.",
    "reason_unreadable": "Linja kan ikkje lesast.",
    "reason_erased": "Personen har bede om å bli sletta (sletta).",
    "reason_bounced": "Meldingar til adressa har kome i retur gjentekne gonger (avvist).",
    "ch_email": "adresse",
    "ch_name": "namn",
    "ch_role": "rolle",
    "ch_region": "kommune/fylke",
    "ch_office": "embete",
    "ch_confirmed": "stadfesta",
    "ch_subscription": "emne",
    "none": "ingen",
    "reason_hour": (
        "Ugyldig klokkeslett «{detail}» i kolonnen digest_hour. Bruk ein heil time frå 0 til 23 "
        "(til dømes 8 eller 08:00), eller standard."
    ),
    "reason_weekday": (
        "Ugyldig vekedag «{detail}» i kolonnen digest_weekday. Bruk eit namn (måndag til "
        "sundag, eller mån til sun), eit tal frå 1 (måndag) til 7 (sundag), eller standard."
    ),
    "reason_quiet": (
        "Ugyldig stille tid «{detail}» i kolonnane quiet_start og quiet_end. Fyll ut begge med "
        "to ulike heile timar frå 0 til 23 (til dømes 22 og 7), eller skriv ingen i begge."
    ),
    "ch_digest_hour": "klokkeslett for samandrag",
    "ch_digest_weekday": "vekedag for vekentleg samandrag",
    "ch_quiet": "stille tid for push",
    "ch_default": "standard",
    "ch_hour_value": "kl. {hour:02d}",
    "more_lines": "… og {n} linjer til.",
}

for _lang, _texts in (("nb", NB), ("nn", NN)):
    for _key in _SHARED_KEYS:
        _texts[_key] = PUBLIC[_lang][_key]

TEXTS: dict[str, dict[str, str]] = {"nb": NB, "nn": NN}
