"""French first, English on request (`?lang=en`) for the words tilod writes on its pages.

Only the page chrome and headings are translated; the data's own labels stay as published.
A template writes `t("Membres")`: the French text is the key, so templates read in French
and a missing translation falls back to it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request

LANGS = ("fr", "en")

EN: dict[str, str] = {
    # chrome
    "Aller au contenu": "Skip to content",
    "principal": "main",
    "Accueil": "Home",
    "Recherche": "Search",
    "Historique": "History",
    "Téléchargements": "Downloads",
    "Ontologie": "Ontology",
    "Données : ANCT, Etalab (decoupage-administratif), INSEE, IGN (Admin Express, via france-geojson), "
    "Préfet de l'Aisne — Licence Ouverte 2.0.":
        "Data: ANCT, Etalab (decoupage-administratif), INSEE, IGN (Admin Express, via france-geojson), "
        "Préfet de l'Aisne — Licence Ouverte 2.0.",
    "Release": "Release",
    "Territoires d'industrie": "Territoires d'industrie (territories of industry)",
    # resource pages
    "Données": "Data",
    "Propriétés": "Properties",
    "Liens entrants": "Incoming links",
    "est": "is",
    "de": "of",
    "Toutes les données de la ressource": "All the data of the resource",
    "URI": "URI",
    "Autres noms": "Other names",
    "Identifiant ANCT": "ANCT identifier",
    "Phase": "Phase",
    "Régions": "Regions",
    "Départements": "Départements",
    "Labellisation": "Labelling",
    "Source": "Source",
    "Population totale": "Total population",
    "Population municipale": "Municipal population",
    "Communes": "Communes",
    "Nombre de communes": "Number of communes",
    "Membres": "Members",
    "Membres du territoire": "Members of the territory",
    "Nom": "Name",
    "Nature juridique": "Legal form",
    "Commune": "Commune",
    "Carte": "Map",
    "Contour du territoire": "Outline of the territory",
    "Pas de contour publié pour ce territoire.": "No outline is published for this territory.",
    "Autre phase": "Other phase",
    "Le même identifiant ANCT désigne, dans la phase": "The same ANCT identifier names, in the phase",
    "Cet identifiant ANCT n'existe pas dans l'autre phase.": "This ANCT identifier does not exist in the other phase.",
    "SIREN": "SIREN",
    "Territoires d'industrie de cette intercommunalité": "Territories of industry of this intercommunality",
    "Cette intercommunalité n'est membre d'aucun Territoire d'industrie.":
        "This intercommunality is not a member of any territory of industry.",
    "Communes membres": "Member communes",
    "Code INSEE": "INSEE code",
    # commune, département, région pages
    "Département": "Département",
    "Région": "Region",
    "Intercommunalités": "Intercommunalities",
    "aucune": "none",
    "Pas de contour publié pour cette commune.": "No outline is published for this commune.",
    "Pas de contour publié pour ce département.": "No outline is published for this département.",
    "Pas de contour publié pour cette région.": "No outline is published for this region.",
    "Territoires d'industrie de cette commune": "Territories of industry of this commune",
    "par son intercommunalité": "through its intercommunality",
    "la commune en est membre elle-même": "the commune itself is a member",
    "Dans aucun territoire de cette phase.": "In no territory of this phase.",
    "somme des communes": "sum over the communes",
    "Annoncé par la source": "Stated by the source",
    "annoncé": "stated",
    "Aucun territoire de cette phase ne touche ce département.":
        "No territory of this phase touches this département.",
    "Aucun territoire de cette phase ne touche cette région.": "No territory of this phase touches this region.",
    "Intercommunalités ayant au moins une commune dans le département":
        "Intercommunalities with at least one commune in the département",
    "Autres départements": "Other départements",
    "Départements de la région": "Départements of the region",
    "Un territoire qui s'étend sur plusieurs départements est compté dans chacun.":
        "A territory spanning several départements is counted in each.",
    "Release partielle : elle ne décrit que les Territoires d'industrie touchant les départements":
        "Partial release: it only describes the territories of industry touching the départements",
    ", leurs membres et leurs communes ; les listes et les totaux de cette page peuvent être incomplets.":
        ", their members and their communes; the lists and totals of this page may be incomplete.",
    "Ressource inconnue": "Unknown resource",
    "Cette URI n'est pas décrite dans la release courante de tilod.":
        "This URI is not described in the current tilod release.",
    "URI demandée": "Requested URI",
    "Page introuvable": "Page not found",
    "Rien à cette adresse.": "Nothing at this address.",
    "Adresse demandée": "Requested address",
    "Essayez": "Try",
    "la page d'accueil": "the home page",
    "le point d'accès SPARQL": "the SPARQL endpoint",
    "les téléchargements": "the downloads",
    # landing
    "Territoires d'industrie en données liées": "Territoires d'industrie as linked data",
    "Le programme": "The programme",
    "Les quatre priorités": "The four priorities",
    "L'accompagnement des territoires": "Support for the territories",
    "Les territoires 2023-2027 par région": "The 2023-2027 territories by region",
    "territoire": "territory",
    "territoires": "territories",
    "membre": "member",
    "membres": "members",
    "Chercher un territoire, une intercommunalité, une commune": "Find a territory, an intercommunality, a commune",
    "Nom, SIREN ou code INSEE": "Name, SIREN or INSEE code",
    "Chercher": "Search",
    "Réutiliser les données": "Reuse the data",
    "Point d'accès SPARQL": "SPARQL endpoint",
    "Description VoID/DCAT": "VoID/DCAT description",
    "Formes SHACL": "SHACL shapes",
    "Historique des releases": "Release history",
    "Première phase (2018-2022)": "First phase (2018-2022)",
    # ontology and shapes pages
    "Classes": "Classes",
    "Propriétés d'objet": "Object properties",
    "Propriétés de données": "Datatype properties",
    "Propriétés d'annotation": "Annotation properties",
    "Autres propriétés": "Other properties",
    "Individus nommés": "Named individuals",
    "Schémas de concepts": "Concept schemes",
    "Concepts": "Concepts",
    "Version": "Version",
    "IRI de version": "Version IRI",
    "Version précédente": "Prior version",
    "Auteurs": "Creators",
    "Éditeur": "Publisher",
    "Contributeurs": "Contributors",
    "Licence": "Licence",
    "Créée le": "Created",
    "Publiée le": "Issued",
    "Modifiée le": "Modified",
    "Importe": "Imports",
    "Voir aussi": "See also",
    "IRI": "IRI",
    "Espace de noms": "Namespace",
    "Préfixe": "Prefix",
    "L'ontologie en": "The ontology in",
    "Sommaire": "Contents",
    "Libellés": "Labels",
    "obsolète": "deprecated",
    "Sous-classe de": "Subclass of",
    "Sous-classes": "Subclasses",
    "Équivalente à": "Equivalent to",
    "Disjointe de": "Disjoint with",
    "Propriétés dont elle est le domaine": "Properties with this class as domain",
    "Propriétés dont elle est le codomaine": "Properties with this class as range",
    "Sous-propriété de": "Subproperty of",
    "Sous-propriétés": "Subproperties",
    "Domaine": "Domain",
    "Codomaine": "Range",
    "Inverse de": "Inverse of",
    "Dans le schéma": "In scheme",
    "Plus générique": "Broader",
    "Note": "Note",
    "Exemple": "Example",
    "Relations entre les classes": "How the classes relate",
    "Propriétés d'objet : domaine et codomaine": "Object properties: domain and range",
    "Propriété": "Property",
    "Listes de valeurs des données": "Value lists of the data",
    "Schémas de concepts SKOS publiés avec les données de cette release.":
        "SKOS concept schemes published with the data of this release.",
    "valeurs de": "values of",
    "Concept": "Concept",
    "Les données de chaque release sont validées par ces formes SHACL : une violation empêche la release.":
        "The data of every release is validated by these SHACL shapes: a violation stops the release.",
    "Les formes en": "The shapes in",
    "Instances de": "Instances of",
    "Nœuds": "Nodes",
    "Sujets de": "Subjects of",
    "Objets de": "Objects of",
    "Nœuds choisis par": "Nodes selected by",
    "une requête SPARQL": "a SPARQL query",
    "Contraintes de propriétés": "Property constraints",
    "Chemin": "Path",
    "Cardinalité": "Cardinality",
    "Contraintes": "Constraints",
    "Message": "Message",
    "Contrainte SPARQL": "SPARQL constraint",
    "Document indisponible": "Document unavailable",
    "Le fichier de ce document est illisible dans la release courante ; les données restent disponibles.":
        "The file of this document cannot be read in the current release; the data is still available.",
    # maps
    "Membre (lien vers sa page)": "Member (link to its page)",
    "Commune membre (lien vers sa page)": "Member commune (link to its page)",
    "Contour de l'intercommunalité (union de ses communes)": "Outline of the intercommunality (union of its communes)",
    "membre sans contour publié": "member without a published outline",
    "membres sans contour publié": "members without a published outline",
    "le contour d'une intercommunalité est l'union de ceux de ses communes, publié seulement quand toutes en ont un.":
        "the outline of an intercommunality is the union of its communes', published only when all of them have one.",
    "Pas de contour publié pour cette intercommunalité : il est l'union de ceux de ses communes, publié seulement "
    "quand toutes en ont un.":
        "No outline is published for this intercommunality: it is the union of its communes', published only "
        "when all of them have one.",
    "Carte des territoires 2023-2027": "Map of the 2023-2027 territories",
    "Carte des Territoires d'industrie 2023-2027": "Map of the Territoires d'industrie 2023-2027",
    "Territoire d'industrie 2023-2027 (lien vers sa page)": "Territory of industry 2023-2027 (link to its page)",
    "territoire d'outre-mer n'est pas dessiné": "overseas territory is not drawn",
    "territoires d'outre-mer ne sont pas dessinés": "overseas territories are not drawn",
    "voir la liste par région.": "see the list by region.",
    # search
    "Résultats pour": "Results for",
    "Aucun résultat.": "No result.",
    "résultat": "result",
    "résultats": "results",
    "seuls les 50 premiers sont affichés": "only the first 50 are shown",
    "Territoire d'industrie": "Territory of industry",
    "Intercommunalité": "Intercommunality",
    "Type": "Type",
    "Code": "Code",
    "Saisissez un nom, un SIREN ou un code INSEE.": "Type a name, a SIREN or an INSEE code.",
    # history
    "Changements": "Changes",
    "créée le": "created on",
    "périmètre": "scope",
    "France entière": "whole of France",
    "comparée à la release": "compared with release",
    "Première release : rien à comparer.": "First release: nothing to compare with.",
    "Aucun changement des territoires, de leurs membres ni de leurs noms.":
        "No change in the territories, their members or their names.",
    "Pas de comparaison enregistrée pour cette release.": "No comparison recorded for this release.",
    "territoire ajouté": "territory added",
    "territoire retiré": "territory removed",
    "membre ajouté": "member added",
    "membre retiré": "member removed",
    "nouveau nom": "new name",
    "ancien nom": "former name",
    "Changements en RDF": "Changes as RDF",
    "courante": "current",
    "Territoire": "Territory",
    "Changement": "Change",
    "Détail": "Detail",
    "la recherche": "the search",
    "ou": "or",
    "triplets": "triples",
    "Total": "Total",
    "population municipale (seule publiée pour une commune)":
        "municipal population (the only one published for a commune)",
    # dumps, SPARQL
    "Point d'accès SPARQL 1.1 en lecture seule": "Read-only SPARQL 1.1 endpoint",
    "Résultats en JSON, XML, CSV, TSV ; graphes en Turtle, JSON-LD, N-Triples, RDF/XML selon l'en-tête Accept.":
        "Results in JSON, XML, CSV, TSV; graphs in Turtle, JSON-LD, N-Triples, RDF/XML, by the Accept header.",
    "Fichier": "File",
    "Taille (octets)": "Size (bytes)",
    "Triplets": "Triples",
    "Dernière version, toujours à la même adresse": "Latest version, always at the same address",
    "Requête": "Query",
    "Exécuter": "Run",
    "Exemples": "Examples",
    # SPARQL results page
    "Résultats SPARQL": "SPARQL results",
    "Résultats": "Results",
    "La requête n'a pas pu être exécutée": "The query could not be run",
    "Télécharger": "Download",
    "Réponse": "Answer",
    "oui": "yes",
    "non": "no",
    "Graphe en Turtle": "Graph in Turtle",
    "seules les premières lignes sont affichées ; les téléchargements contiennent tout":
        "only the first rows are shown; the downloads hold them all",
    "Tableau des résultats": "Results table",
    "par": "by",
}

MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}


def page_lang() -> str:
    """The language of the page asked for: `?lang=en`, else French."""
    return "en" if request.args.get("lang") == "en" else "fr"


def translate(text: str, lang: str) -> str:
    return EN.get(text, text) if lang == "en" else text


def format_number(value: int | str | None, lang: str) -> str:
    """Thousands grouped as each language writes them.

    >>> format_number(1234567, "fr"), format_number("1234567", "en")
    ('1\\u202f234\\u202f567', '1,234,567')
    """
    if value is None or value == "":
        return ""
    grouped = f"{int(value):,}"
    return grouped.replace(",", "\u202f") if lang == "fr" else grouped


def format_date(iso: str | None, lang: str) -> str:
    """An ISO date (or date-time) as a reader writes it.

    >>> format_date("2023-11-09", "fr"), format_date("2023-11-01T10:00:00Z", "en")
    ('9 novembre 2023', '1 November 2023')
    >>> format_date("2023", "fr")
    '2023'
    """
    if not iso:
        return ""
    try:
        year, month, day = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
        name = MONTHS[lang][month - 1]
    except (ValueError, IndexError):
        return iso
    return f"{day} {name} {year}"


def href(url: str, lang: str, base: str) -> str:
    """A link to one of our pages that keeps the reader's language (other links as they are).

    >>> href("http://x/id/a", "en", "http://x/"), href("http://x/def/t#p", "en", "http://x/")
    ('http://x/id/a?lang=en', 'http://x/def/t?lang=en#p')
    >>> href("http://x/id/a", "fr", "http://x/"), href("https://other/", "en", "http://x/")
    ('http://x/id/a', 'https://other/')
    """
    if lang == "fr" or not url.startswith(base) or "?" in url:
        return url
    page, hash_, fragment = url.partition("#")
    return f"{page}?lang={lang}{hash_}{fragment}"


def switch_url(lang: str) -> str:
    """This page in the other language (only a search's `q` or a SPARQL `query` is kept)."""
    params = [(name, request.args[name]) for name in ("q", "query") if name in request.args]
    if lang == "fr":
        params.append(("lang", "en"))
    query = urlencode(params)
    return request.path + (f"?{query}" if query else "")


def template_globals(base: str) -> dict:
    """What every template gets: `lang`, `t(...)`, `href(...)`, `num(...)`, `date(...)`, `switch_url`."""
    lang = page_lang()
    return {
        "lang": lang,
        "t": lambda text: translate(text, lang),
        "href": lambda url: href(str(url), lang, base),
        "num": lambda value: format_number(value, lang),
        "date": lambda iso: format_date(iso, lang),
        "switch_url": switch_url(lang),
        "other_lang": "en" if lang == "fr" else "fr",
        "colon": "\u00a0:" if lang == "fr" else ":",  # French puts a (no-break) space before a colon
    }
