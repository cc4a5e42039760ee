"""The press release's facts, found in its own text, are the facts the release publishes.

Each test locates a fact in data/communique/communique-prefet-aisne-2023-11-14.txt (not in
programme.ttl or the seed, which were transcribed from it) and asks the subset release's store
for the same fact.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from helpers import select

from conftest import ROOT

TEXT = (ROOT / "data/communique/communique-prefet-aisne-2023-11-14.txt").read_text(encoding="utf-8")
PLAIN = TEXT.replace("**", "")  # the text without its bold marks
ID = "http://localhost:8000/id/"
PRESS = ID + "source/communique-prefet-aisne-2023-11-14"
PHASE = ID + "phase/2023-2027"
MONTHS = {"janvier": 1, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
          "août": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12}
#: the kinds of groupement, as the text writes them, and the abbreviation of the official names
KINDS = {"Communautés d'Agglomérations": "CA", "Communauté d'Agglomération": "CA",
         "Communautés de Communes": "CC", "Communauté de Communes": "CC"}




def found(pattern: str, text: str = PLAIN) -> re.Match[str]:
    match = re.search(pattern, text)
    assert match, f"the press release has no {pattern!r}"
    return match


def iso_date(day: str, month: str, year: str) -> str:
    """"9 novembre 2023" -> 2023-11-09."""
    return f"{year}-{MONTHS[month.lower()]:02d}-{int(day):02d}"


def bullets_after(heading: str) -> list[str]:
    """The lines starting with "- " that follow `heading` (up to the next blank-line paragraph)."""
    after = PLAIN[found(re.escape(heading)).end():]
    block = re.match(r"\s*((?:- [^\n]*\n+)+)", after)
    assert block, f"no list after {heading!r}"
    return [line[2:].strip() for line in block.group(1).splitlines() if line.startswith("- ")]


# -- counts -------------------------------------------------------------------------------------

def test_the_counts_are_the_stated_ones(store):
    lead = found(r"les noms des (\d+) lauréats du programme Territoires d'Industrie, dont (\d+) dans la région "
                 r"(Hauts-de-France) et (\d+) dans (?:l')?(Aisne)")
    france, region, region_name, departement, departement_name = lead.groups()
    assert found(r"TERRITOIRES D'INDUSTRIE (\d+) TERRITOIRES AXONAIS").group(1) == departement  # the title
    assert found(r"\n(\d+)\nterritoires d'industrie\n").group(1) == region  # the map's caption
    rows = select(store, f"""SELECT ?zone ?label ?n WHERE {{
        ?c a tilod:Denombrement ; tilod:phase <{PHASE}> ; tilod:zone ?zone ; tilod:nombre ?n ;
           prov:wasDerivedFrom <{PRESS}> . OPTIONAL {{ ?zone rdfs:label ?label FILTER(lang(?label) = "fr") }} }}""")
    assert {r["zone"].removeprefix(ID): int(r["n"]) for r in rows} == {
        "pays/france": int(france), "region/32": int(region), "departement/02": int(departement)}
    labels = {r["zone"].removeprefix(ID): r.get("label") for r in rows}
    assert labels["region/32"] == region_name and labels["departement/02"] == departement_name


# -- dates and the phase ------------------------------------------------------------------------

def test_the_dates_are_the_stated_ones(store):
    place, day, month, year = found(r"\n(\w+), le (\d{1,2}) (\w+) (\d{4})\n").groups()  # "Laon, le 14 novembre 2023"
    [press] = select(store, f"""SELECT ?issued ?spatial ?place ?title WHERE {{
        <{PRESS}> dcterms:issued ?issued ; dcterms:spatial ?spatial ; dcterms:title ?title .
        ?spatial a igeo:Commune ; rdfs:label ?place }}""")
    assert press["issued"] == iso_date(day, month, year)
    assert press["place"] == place and press["spatial"] == ID + "commune/02408"  # the commune of Laon
    # its heading, as the release titles it (the text writes it in capitals, without the colon)
    heading = found(r"\n(TERRITOIRES D'INDUSTRIE .+ POUR LA PÉRIODE (\d{4})-(\d{4}))\n")
    assert press["title"].replace(" :", "").casefold() == heading.group(1).casefold()

    announced = found(r"Le (\d{1,2}) (\w+) (\d{4}), (\w+) ([A-Z]+), (Ministre [^,]+), a annoncé à ([\w-]+) les noms")
    _, _, _, first_name, surname, title, city = announced.groups()
    launched = found(r"Le (\d{1,2}) (\w+) (\d{4}) dernier, le Président de la République")
    [phase] = select(store, f"""SELECT ?announced ?start ?end ?description WHERE {{
        <{PHASE}> tilod:dateAnnonce ?announced ; dcat:startDate ?start ; dcat:endDate ?end ;
                  dcterms:description ?description }}""")
    assert phase["announced"] == iso_date(*announced.groups()[:3])
    assert (phase["start"], phase["end"]) == heading.groups()[1:]
    description = phase["description"]
    assert f"le {launched.group(1)} {launched.group(2)} {launched.group(3)}" in description
    # the text writes the surname in capitals and the title with one
    assert f"à {city} par {first_name} {surname.title()}, {title[0].lower()}{title[1:]}" in description
    assert "championne de l'industrie verte en Europe" in PLAIN and "championne de l'industrie verte en Europe" in description
    # every labelling of 2023-2027 is dated from the announcement (the four of the Aisne here)
    dates = {r["date"] for r in select(store, f"""SELECT DISTINCT ?date WHERE {{
        ?l a tilod:Labellisation ; tilod:phase <{PHASE}> ; dcterms:date ?date }}""")}
    assert dates == {iso_date(*announced.groups()[:3])}


def test_the_two_announcements_are_the_stated_ones(store):
    """Who announced what, when and where, each as the release tells it: the President on 11 May
    2023 (a new phase), the minister on 9 November 2023 (the laureates) at the place as spelt."""
    announced = found(r"Le (\d{1,2}) (\w+) (\d{4}), (\w+) ([A-Z]+), (Ministre [^,]+), a annoncé à ([\w-]+) les noms")
    day, month, year, first_name, surname, title, city = announced.groups()
    launched = found(r"Le (\d{1,2}) (\w+) (\d{4}) dernier, (le Président de la République) présentait (.+?) "
                     r"et annonçait (le lancement d'une nouvelle phase du programme)")
    rows = {r["date"]: r for r in select(store, f"""SELECT ?date ?who ?name ?post ?alt ?where ?note ?description WHERE {{
        <{PHASE}> tilod:annonce ?a . ?a a tilod:Annonce ; tilod:phase <{PHASE}> ; dcterms:date ?date ;
           prov:wasAttributedTo ?agent ; prov:wasDerivedFrom <{PRESS}> .
        ?agent a foaf:Person ; rdfs:label ?who FILTER(lang(?who) = "fr")
        OPTIONAL {{ ?agent foaf:name ?name ; org:holds/skos:altLabel ?alt }}
        OPTIONAL {{ ?agent org:holds/rdfs:label ?post FILTER(lang(?post) = "fr") }}
        OPTIONAL {{ ?a prov:atLocation ?place . ?place a prov:Location ; rdfs:label ?where ; prov:wasDerivedFrom <{PRESS}> ;
                       skos:editorialNote ?note FILTER(lang(?note) = "fr") }}
        OPTIONAL {{ ?a dcterms:description ?description }} }}""")}
    assert set(rows) == {iso_date(*launched.groups()[:3]), iso_date(day, month, year)}
    president = rows[iso_date(*launched.groups()[:3])]
    assert president["who"].casefold() == launched.group(4).casefold()
    assert president["post"].casefold() == launched.group(4).removeprefix("le ").casefold()
    assert "name" not in president  # the release does not name him: neither does the data
    assert launched.group(5) in president["description"] and launched.group(6) in president["description"]
    minister = rows[iso_date(day, month, year)]
    assert minister["name"] == f"{first_name} {surname.title()}" == minister["who"]
    assert minister["alt"] == title  # the post as this sentence words it
    assert minister["where"] == city == "Châlons-sur-Saône"  # the release's spelling, kept
    # which town it means is said, not silently corrected (no commune has the release's spelling)
    assert "Chalon-sur-Saône" in minister["note"] and "71076" in minister["note"]


# -- priorities and support -----------------------------------------------------------------------

def test_the_four_priorities_are_worded_as_stated(store):
    count = found(r"Le programme est axé autour de (\d+) priorités").group(1)
    stated = [line.rstrip(".") for line in bullets_after("autour de 4 priorités :")]
    assert len(stated) == int(count) == 4
    published = select(store, f"""SELECT ?label WHERE {{
        <{PHASE}> tilod:priorite ?p . ?p skos:prefLabel ?label ; skos:notation ?n ; prov:wasDerivedFrom <{PRESS}>
        FILTER(lang(?label) = "fr") }} ORDER BY ?n""")
    assert [r["label"] for r in published] == stated


def test_the_support_figures_are_the_stated_ones(store):
    sites = found(r"l'identification de (\d+) sites clés dans le cadre du projet (France 2030)")
    [project] = select(store, f"""SELECT ?label WHERE {{
        <{ID}mesure/sites-cles> dcterms:isPartOf ?p . ?p a foaf:Project ; rdfs:label ?label ; prov:wasDerivedFrom <{PRESS}>
        FILTER(lang(?label) = "fr") }}""")
    assert project["label"] == sites.group(2)
    schools = found(r"le lancement de (\d+) écoles de production")
    millions = found(r"projets industriels \"verts\" à hauteur de (\d+) millions d'euros")
    measures = {r["m"].removeprefix(ID + "mesure/"): r for r in select(store, f"""SELECT ?m ?label ?definition ?n ?eur WHERE {{
        <{PHASE}> tilod:mesure ?m . ?m skos:prefLabel ?label ; prov:wasDerivedFrom <{PRESS}>
        FILTER(lang(?label) = "fr")
        OPTIONAL {{ ?m skos:definition ?definition }} OPTIONAL {{ ?m tilod:nombre ?n }} OPTIONAL {{ ?m tilod:montantEuros ?eur }} }}""")}
    assert set(measures) == {"chef-de-projet", "ingenierie-anct", "sites-cles", "ecoles-de-production", "projets-verts"}
    assert measures["sites-cles"]["n"] == sites.group(1)
    assert measures["sites-cles"]["label"] == f"{sites.group(1)} sites clés ({sites.group(2)})"
    assert measures["ecoles-de-production"]["n"] == schools.group(1)
    assert measures["ecoles-de-production"]["label"] == f"{schools.group(1)} écoles de production"
    assert measures["projets-verts"]["eur"] == str(int(millions.group(1)) * 1_000_000)
    # the project manager: the release's definition is the text's sentence
    definition = measures["chef-de-projet"]["definition"]
    assert definition[0].lower() + definition[1:] in PLAIN
    # the ANCT's engineering: the same four subjects as the text's sentence
    engineering = found(r"Des moyens d'ingénierie de l'ANCT [^.]*pour les sujets relatifs à ([^.]+)\.").group(1)
    subjects = re.split(r", | et ", engineering)  # "l'innovation, la transition écologique, au foncier et aux compétences"
    assert len(subjects) == 4
    topics = {r["label"] for r in select(store, f"""SELECT ?label WHERE {{
        <{ID}mesure/ingenierie-anct> dcterms:subject ?s . <{PHASE}> tilod:priorite ?s .
        ?s rdfs:label ?label FILTER(lang(?label) = "fr") }}""")}
    assert len(topics) == 4  # its subjects, as data: the phase's priorities, one for each subject the text names
    for subject in subjects:
        bare = re.sub(r"^(?:l'|la |au |aux )", "", subject)
        assert bare in measures["ingenierie-anct"]["definition"], subject
        assert len([label for label in topics if bare in label.casefold()]) == 1, (subject, topics)


# -- people and partners -----------------------------------------------------------------------

def test_the_ministers_and_partners_are_the_stated_ones(store):
    copiloted = found(r"Copiloté par (.+?) – en partenariat avec (.+?), le programme constitue").groups()
    person = r"[A-ZÉ][\wé]+ [A-ZÉ][\wé]+"
    ministers = re.findall(rf"({person}), (ministre .+?)(?=, {person}, | et {person}, |$)", copiloted[0])
    partners = re.split(r", | et ", copiloted[1])
    assert len(ministers) == 3 and len(partners) == 3
    # each is a member of the programme in a role (an org:Role resource), each minister holds a post
    members = select(store, f"""SELECT ?label ?kind ?role ?post WHERE {{
        ?m a org:Membership ; org:organization <{ID}programme/territoires-d-industrie> ; org:member ?a ;
           org:role ?r ; prov:wasDerivedFrom <{PRESS}> .
        <{ID}programme/territoires-d-industrie> dcterms:contributor ?a .
        ?r a org:Role, skos:Concept ; rdfs:label ?role FILTER(lang(?role) = "fr")
        ?a a ?kind ; rdfs:label ?label FILTER(?kind IN (foaf:Person, foaf:Organization) && lang(?label) = "fr")
        OPTIONAL {{ ?a org:holds ?p . ?p a org:Post ; rdfs:label ?post ; org:heldBy ?a FILTER(lang(?post) = "fr") }} }}""")
    people = {r["label"]: (r["post"], r["role"]) for r in members if r["kind"].endswith("Person")}
    assert people == {name: (role, "copilote du programme") for name, role in ministers}  # "Copiloté par"
    organisations = {r["label"]: r["role"] for r in members if r["kind"].endswith("Organization")}
    assert organisations == {partner: "partenaire du programme" for partner in partners}  # "en partenariat avec"


def test_the_prefecture_is_the_stated_publisher(store):
    [prefet] = select(store, f"""SELECT ?label ?mail ?phone ?home WHERE {{
        <{PRESS}> dcterms:publisher ?p . ?p rdfs:label ?label ; foaf:mbox ?mail ; foaf:phone ?phone ; foaf:homepage ?home }}""")
    assert f"\n{prefet['label']}\n" in PLAIN
    assert found(r"Mél\.: (\S+@\S+)").group(1) == prefet["mail"].removeprefix("mailto:")
    first_number = found(r"Tél\. : ((?:\d\d ){4}\d\d)").group(1)
    assert prefet["phone"] == "tel:+33" + first_number.replace(" ", "")[1:]
    assert found(r"www\.aisne\.gouv\.fr").group(0) in prefet["home"]
    notes = {r["note"] for r in select(store, f"""SELECT ?note WHERE {{
        <{PRESS}> dcterms:publisher ?p . ?p skos:note ?note }}""")}
    street, postcode = found(r"\n(2, rue Paul Doumer - CS \d+)\n\n(\d{5} LAON Cedex)\n").groups()
    assert notes == {f"{street}, {postcode}", found(r"\n(Pôle départemental de la communication interministérielle)\n").group(1)}


# -- the four territories of the Aisne and their 16 EPCIs ----------------------------------------

def stated_territories() -> dict[str, list[str]]:
    """Each territory's name as the text writes it -> its EPCIs' names as the text writes them,
    e.g. "Sud de l'Aisne" -> ["CA de la Région de Château-Thierry", "CC de Charly-sur-Marne"]."""
    stated = {}
    for bullet in bullets_after("Il s'agit des territoires de :"):
        name, grouped = found(r"^(.+?) \(regroupant (.+)\)$", bullet).groups()
        # "territoires de : [X], du [Y]...": the sentence's "de" and article are not the name's,
        # nor is the article the sentence puts before its second part ("la T. et des Pays de la Serre")
        name = re.sub(r"^(?:du |de la |de l'|de )", "", name).replace(" et des ", " et ")
        epcis = []
        kinds = "|".join(map(re.escape, KINDS))
        for kind, names in re.findall(rf"(?:les |la )({kinds}) (.+?)(?= et (?:les|la) (?:{kinds})|, les (?:{kinds})|$)", grouped):
            # "du Saint-Quentinois et de Chauny-Tergnier-La Fère": each name starts with "de"
            for part in re.split(r", | et (?=d(?:u |e |es |'))", names):
                epcis.append(f"{KINDS[kind]} {part}")
        stated[name] = epcis
    return stated


def aisne_territory(store: ox.Store, name: str) -> dict[str, set[str]]:
    """The 2023-2027 territory of the Aisne that has `name` (label or other name): each of its
    members -> all the member's names."""
    members: dict[str, set[str]] = {}
    for r in select(store, f"""SELECT ?m ?name WHERE {{
            ?t tilod:phase <{PHASE}> ; tilod:departement <{ID}departement/02> ; rdfs:label|skos:altLabel "{name}"@fr ;
               org:hasMember ?m . ?m rdfs:label|skos:altLabel ?name }}"""):
        members.setdefault(r["m"], set()).add(r["name"])
    return members


def test_the_text_names_four_territories_and_sixteen_epcis():
    stated = stated_territories()
    assert [len(epcis) for epcis in stated.values()] == [5, 4, 2, 5]
    assert len(stated) == int(found(r"(\d+) TERRITOIRES AXONAIS").group(1))


@pytest.mark.parametrize("name", stated_territories())
def test_each_territory_carries_the_name_the_text_gives_it(store, name):
    names = {r["t"]: {r["label"], r["alt"]} for r in select(store, f"""SELECT ?t ?label ?alt WHERE {{
        ?t tilod:phase <{PHASE}> ; tilod:departement <{ID}departement/02> ; rdfs:label ?label ; skos:altLabel ?alt ;
           prov:wasDerivedFrom <{PRESS}> }}""")}
    assert len(names) == 4
    assert any(name in known for known in names.values()), (name, names)


@pytest.mark.parametrize(("territory", "epci"), [
    (territory, epci) for territory, epcis in stated_territories().items() for epci in epcis])
def test_each_epci_carries_the_name_the_text_gives_it_in_its_territory(store, territory, epci):
    """The EPCI the text names is a member of the territory it names, under the text's wording."""
    members = aisne_territory(store, territory)
    assert members, f"no territory of the Aisne is named {territory!r}"
    matching = [m for m, names in members.items() if epci in names]
    assert len(matching) == 1, f"no member of {territory} is named {epci!r}: {sorted(map(sorted, members.values()))}"


def test_the_text_names_every_member_of_the_four_territories(store):
    for territory, epcis in stated_territories().items():
        members = aisne_territory(store, territory)
        assert len(members) == len(epcis), territory
