"""Texts of the console's source pages (``/staff/kilder``), bokmål and nynorsk. The error keys
are those ``notifier.source_admin.explain_error`` returns."""

from __future__ import annotations

NB: dict[str, str] = {
    "sources_title": "Kilder",
    "sources_intro": (
        "Alle kildene vi følger med på, med siste sjekk og feil. Velg en kilde for å se "
        "aktiviteten de siste 30 dagene."
    ),
    "col_source": "Kilde",
    "col_kind": "Type",
    "col_authority": "Myndighet",
    "col_checked": "Sist sjekket",
    "col_outcome": "Utfall",
    "col_errors": "Feil på rad",
    "col_error": "Siste feil",
    "col_next": "Neste sjekk",
    "col_state": "Tilstand",
    "never": "aldri",
    "kind_feed": "Nyhetsstrøm (RSS/Atom)",
    "kind_page": "Nettside",
    "kind_document": "Dokument i kapitler",
    "kind_listing": "Oversiktsside",
    "kind_changelog": "Endringslogg",
    "kind_hapi": "Helsedirektoratets innholds-API",
    "outcome_new": "Ny versjon",
    "outcome_changed": "Endret",
    "outcome_unchanged": "Uendret",
    "outcome_error": "Feil",
    "enabled": "Aktiv",
    "disabled": "Slått av",
    "disabled_because": "Slått av: {reason}",
    "due_now": "så snart som mulig",
    "not_checked_disabled": "sjekkes ikke (slått av)",
    "source_title": "Kilde: {name}",
    "back_to_sources": "Tilbake til alle kilder",
    "details": "Om kilden",
    "address": "Adresse",
    "interval": "Sjekkes hvert",
    "minutes": "{n} minutter",
    "last_success": "Siste vellykkede sjekk",
    "changes_30": "Endringer siste 30 dager",
    "activity_title": "Aktivitet siste 30 dager",
    "checks_chart_title": "Sjekker av {name} per dag, siste 30 dager",
    "checks_chart_desc": (
        "Stolpediagram med én gruppe per dag fra {first} til {last}: vellykkede og mislykkede "
        "sjekker. Til sammen {checks} sjekker, {errors} av dem feilet. Samme tall står i "
        "tabellen under."
    ),
    "changes_chart_title": "Endringer funnet i {name} per dag, siste 30 dager",
    "changes_chart_desc": (
        "Stolpediagram med én stolpe per dag fra {first} til {last}: endringer funnet. Til "
        "sammen {changes} endringer. Samme tall står i tabellen under."
    ),
    "series_changes": "Endringer",
    "series_ok": "Vellykkede sjekker",
    "series_errors": "Mislykkede sjekker",
    "series_checks": "Sjekker",
    "checks_30": "Sjekker siste 30 dager",
    "errors_30": "Mislykkede sjekker siste 30 dager",
    "activity_note": (
        "Tallene gjelder norsk tid. Sjekker telles fra og med versjonen som begynte å lagre "
        "dem; historikken beholdes i 90 dager."
    ),
    "table_toggle": "Vis tallene som tabell",
    "col_day": "Dag",
    "actions_title": "Handlinger",
    "check_now": "Sjekk nå",
    "check_now_hint": "Kilden sjekkes i neste runde, vanligvis innen ett minutt.",
    "disable_title": "Slå av kilden",
    "disable_reason": "Hvorfor slås kilden av?",
    "disable_hint": "Påkrevd. Vises sammen med kilden.",
    "disable": "Slå av",
    "enable": "Slå på igjen",
    "enable_hint": "Kilden sjekkes igjen fra neste runde.",
    "admin_only": "Bare administratorer kan slå kilder av og på.",
    "ok_checked": "Kilden sjekkes i neste runde.",
    "ok_disabled": "Kilden er slått av og sjekkes ikke lenger.",
    "ok_enabled": "Kilden er slått på og sjekkes i neste runde.",
    "err_missing": "Fant ikke kilden.",
    "err_reason": "Skriv hvorfor kilden slås av.",
    "err_already_disabled": "Kilden var allerede slått av.",
    "err_already_enabled": "Kilden var allerede slått på.",
    "err_disabled": "Kilden er slått av. Slå den på først.",
    "raw_label": "Teknisk detalj",
    "err_host_paused": (
        "Nettstedet ba oss vente en stund (for mange forespørsler); vi prøver igjen senere."
    ),
    "err_robots_unavailable": (
        "Nettstedets robots.txt kunne ikke leses, så vi henter ingenting derfra før den kan."
    ),
    "err_robots_disallowed": "Nettstedets robots.txt forbyr oss å hente denne adressen.",
    "err_unsafe_url": "Adressen er ugyldig eller ikke tillatt.",
    "err_blocked": "Adressen peker til en intern eller privat adresse, og blokkeres.",
    "err_bot_challenge": "Nettstedet svarte med en robotsjekk i stedet for innholdet.",
    "err_http_transient": "Nettstedet svarte med en midlertidig feil (HTTP {status}).",
    "err_http_401": "Nettstedet krever innlogging eller en API-nøkkel (HTTP 401).",
    "err_http_permanent": (
        "Nettstedet svarte med en feil (HTTP {status}), for eksempel at siden ikke finnes."
    ),
    "err_timeout": "Nettstedet svarte ikke innen {seconds} sekunder.",
    "err_connect": "Fikk ikke kontakt med nettstedet.",
    "err_network": "Nettverksfeil under hentingen.",
    "err_too_big": "Svaret var større enn grensen vi tillater.",
    "err_redirects": "Nettstedet videresendte for mange ganger, eller uten mål.",
    "err_fetch_permanent": "Kilden kan ikke hentes slik den er satt opp.",
    "err_feed_emptied": (
        "Nyhetsstrømmen hadde saker, men er nå tom. Vi beholder forrige versjon til sakene "
        "kommer tilbake."
    ),
    "err_feed_error_item": (
        "Nyhetsstrømmen viste bare en feilmelding i stedet for sakene. Vi beholder forrige "
        "versjon til sakene kommer tilbake."
    ),
    "err_content_collapse": (
        "Det meste av teksten på siden forsvant i én sjekk. Vi beholder forrige versjon; "
        "varer det, holdes endringen for gjennomgang."
    ),
    "err_feed_xml": "Nyhetsstrømmen er ikke gyldig XML.",
    "err_feed_unreadable": "Svaret er ikke en lesbar nyhetsstrøm (RSS eller Atom).",
    "err_selector": "Innholdsvelgeren traff ingenting; sidens oppsett kan ha endret seg.",
    "err_too_many_sections": (
        "Siden har for mange avsnitt; kilden trenger en smalere innholdsvelger."
    ),
    "err_empty": "Siden eller hovedinnholdet er tomt.",
    "err_html": "Siden kunne ikke leses som HTML.",
    "err_maintenance": "Siden ser ut som en feil-, vedlikeholds- eller robotsjekkside.",
    "err_truncated": (
        "Siden ble avbrutt under overføringen; vi beholder forrige versjon. Kommer den samme "
        "versjonen igjen ved neste sjekk, tar vi den i bruk."
    ),
    "err_hapi": "Svaret fra Helsedirektoratets API var ikke som ventet.",
    "err_no_chapters": "Innholdsfortegnelsen viser ingen kapitler som kunne leses.",
    "err_no_links": "Oversiktssiden viser ingen lenker som passer; oppsettet kan ha endret seg.",
    "err_pdf": "Et PDF-vedlegg kunne ikke leses.",
    "err_not_modified": (
        "Nettstedet svarte «ikke endret» på en forespørsel det ikke kunne svare slik på."
    ),
    "err_hijacked": (
        "Siden ser ut til å være kapret (reklame for kasino, piller eller lån); vi beholder "
        "forrige versjon."
    ),
    "err_parked_domain": (
        "Adressen viser en parkert domeneside (domenet er til salgs eller har gått ut); "
        "kontroller kildens adresse. Vi beholder forrige versjon."
    ),
    "err_source_problem": (
        "Det som kom tilbake, er ikke innhold vi kan stole på; vi beholder forrige versjon."
    ),
    "err_parts": "Kilden ble lest, men enkelte deler (kapitler eller vedlegg) kunne ikke leses.",
    "err_other": "Sjekken feilet.",
}

NN: dict[str, str] = {
    "sources_title": "Kjelder",
    "sources_intro": (
        "Alle kjeldene vi følgjer med på, med siste sjekk og feil. Vel ei kjelde for å sjå "
        "aktiviteten dei siste 30 dagane."
    ),
    "col_source": "Kjelde",
    "col_kind": "Type",
    "col_authority": "Styresmakt",
    "col_checked": "Sist sjekka",
    "col_outcome": "Utfall",
    "col_errors": "Feil på rad",
    "col_error": "Siste feil",
    "col_next": "Neste sjekk",
    "col_state": "Tilstand",
    "never": "aldri",
    "kind_feed": "Nyheitsstraum (RSS/Atom)",
    "kind_page": "Nettside",
    "kind_document": "Dokument i kapittel",
    "kind_listing": "Oversiktsside",
    "kind_changelog": "Endringslogg",
    "kind_hapi": "Innhalds-API-et til Helsedirektoratet",
    "outcome_new": "Ny versjon",
    "outcome_changed": "Endra",
    "outcome_unchanged": "Uendra",
    "outcome_error": "Feil",
    "enabled": "Aktiv",
    "disabled": "Slått av",
    "disabled_because": "Slått av: {reason}",
    "due_now": "så snart som mogleg",
    "not_checked_disabled": "blir ikkje sjekka (slått av)",
    "source_title": "Kjelde: {name}",
    "back_to_sources": "Tilbake til alle kjelder",
    "details": "Om kjelda",
    "address": "Adresse",
    "interval": "Blir sjekka kvart",
    "minutes": "{n} minutt",
    "last_success": "Siste vellukka sjekk",
    "changes_30": "Endringar siste 30 dagar",
    "activity_title": "Aktivitet siste 30 dagar",
    "checks_chart_title": "Sjekkar av {name} per dag, siste 30 dagar",
    "checks_chart_desc": (
        "Stolpediagram med éi gruppe per dag frå {first} til {last}: vellukka og mislukka "
        "sjekkar. Til saman {checks} sjekkar, {errors} av dei feila. Same tal står i tabellen "
        "under."
    ),
    "changes_chart_title": "Endringar funne i {name} per dag, siste 30 dagar",
    "changes_chart_desc": (
        "Stolpediagram med éin stolpe per dag frå {first} til {last}: endringar funne. Til "
        "saman {changes} endringar. Same tal står i tabellen under."
    ),
    "series_changes": "Endringar",
    "series_ok": "Vellukka sjekkar",
    "series_errors": "Mislukka sjekkar",
    "series_checks": "Sjekkar",
    "checks_30": "Sjekkar siste 30 dagar",
    "errors_30": "Mislukka sjekkar siste 30 dagar",
    "activity_note": (
        "Tala gjeld norsk tid. Sjekkar blir talde frå og med versjonen som byrja å lagre dei; "
        "historikken blir halden i 90 dagar."
    ),
    "table_toggle": "Vis tala som tabell",
    "col_day": "Dag",
    "actions_title": "Handlingar",
    "check_now": "Sjekk no",
    "check_now_hint": "Kjelda blir sjekka i neste runde, vanlegvis innan eitt minutt.",
    "disable_title": "Slå av kjelda",
    "disable_reason": "Kvifor blir kjelda slått av?",
    "disable_hint": "Påkravd. Blir vist saman med kjelda.",
    "disable": "Slå av",
    "enable": "Slå på igjen",
    "enable_hint": "Kjelda blir sjekka igjen frå neste runde.",
    "admin_only": "Berre administratorar kan slå kjelder av og på.",
    "ok_checked": "Kjelda blir sjekka i neste runde.",
    "ok_disabled": "Kjelda er slått av og blir ikkje sjekka lenger.",
    "ok_enabled": "Kjelda er slått på og blir sjekka i neste runde.",
    "err_missing": "Fann ikkje kjelda.",
    "err_reason": "Skriv kvifor kjelda blir slått av.",
    "err_already_disabled": "Kjelda var allereie slått av.",
    "err_already_enabled": "Kjelda var allereie slått på.",
    "err_disabled": "Kjelda er slått av. Slå henne på først.",
    "raw_label": "Teknisk detalj",
    "err_host_paused": (
        "Nettstaden bad oss vente ei stund (for mange førespurnader); vi prøver igjen seinare."
    ),
    "err_robots_unavailable": (
        "robots.txt på nettstaden kunne ikkje lesast, så vi hentar ingenting derifrå før han kan."
    ),
    "err_robots_disallowed": "robots.txt på nettstaden forbyr oss å hente denne adressa.",
    "err_unsafe_url": "Adressa er ugyldig eller ikkje tillaten.",
    "err_blocked": "Adressa peikar til ei intern eller privat adresse og blir blokkert.",
    "err_bot_challenge": "Nettstaden svarte med ein robotsjekk i staden for innhaldet.",
    "err_http_transient": "Nettstaden svarte med ein mellombels feil (HTTP {status}).",
    "err_http_401": "Nettstaden krev innlogging eller ein API-nøkkel (HTTP 401).",
    "err_http_permanent": (
        "Nettstaden svarte med ein feil (HTTP {status}), til dømes at sida ikkje finst."
    ),
    "err_timeout": "Nettstaden svarte ikkje innan {seconds} sekund.",
    "err_connect": "Fekk ikkje kontakt med nettstaden.",
    "err_network": "Nettverksfeil under hentinga.",
    "err_too_big": "Svaret var større enn grensa vi tillèt.",
    "err_redirects": "Nettstaden vidaresende for mange gonger, eller utan mål.",
    "err_fetch_permanent": "Kjelda kan ikkje hentast slik ho er sett opp.",
    "err_feed_emptied": (
        "Nyheitsstraumen hadde saker, men er no tom. Vi held på førre versjon til sakene "
        "kjem tilbake."
    ),
    "err_feed_error_item": (
        "Nyheitsstraumen viste berre ei feilmelding i staden for sakene. Vi held på førre "
        "versjon til sakene kjem tilbake."
    ),
    "err_content_collapse": (
        "Det meste av teksten på sida forsvann i éin sjekk. Vi held på førre versjon; varer "
        "det, blir endringa halden for gjennomgang."
    ),
    "err_feed_xml": "Nyheitsstraumen er ikkje gyldig XML.",
    "err_feed_unreadable": "Svaret er ikkje ein lesbar nyheitsstraum (RSS eller Atom).",
    "err_selector": "Innhaldsveljaren trefte ingenting; oppsettet på sida kan ha endra seg.",
    "err_too_many_sections": "Sida har for mange avsnitt; kjelda treng ein smalare innhaldsveljar.",
    "err_empty": "Sida eller hovudinnhaldet er tomt.",
    "err_html": "Sida kunne ikkje lesast som HTML.",
    "err_maintenance": "Sida ser ut som ei feil-, vedlikehalds- eller robotsjekkside.",
    "err_truncated": (
        "Sida vart avbroten under overføringa; vi held på førre versjon. Kjem den same "
        "versjonen att ved neste sjekk, tek vi han i bruk."
    ),
    "err_hapi": "Svaret frå API-et til Helsedirektoratet var ikkje som venta.",
    "err_no_chapters": "Innhaldslista viser ingen kapittel som kunne lesast.",
    "err_no_links": "Oversiktssida viser ingen lenkjer som passar; oppsettet kan ha endra seg.",
    "err_pdf": "Eit PDF-vedlegg kunne ikkje lesast.",
    "err_not_modified": (
        "Nettstaden svarte «ikkje endra» på ein førespurnad han ikkje kunne svare slik på."
    ),
    "err_hijacked": (
        "Sida ser ut til å vere kapra (reklame for kasino, piller eller lån); vi held på "
        "førre versjon."
    ),
    "err_parked_domain": (
        "Adressa viser ei parkert domeneside (domenet er til sals eller har gått ut); "
        "kontroller adressa til kjelda. Vi held på førre versjon."
    ),
    "err_source_problem": (
        "Det som kom tilbake, er ikkje innhald vi kan stole på; vi held på førre versjon."
    ),
    "err_parts": (
        "Kjelda vart lesen, men enkelte delar (kapittel eller vedlegg) kunne ikkje lesast."
    ),
    "err_other": "Sjekken feila.",
}

TEXTS: dict[str, dict[str, str]] = {"nb": NB, "nn": NN}
