"""Words that tell an introduction's name, company and role apart in German, Spanish and
French (see :mod:`bot.qualification.extract`), as data.

Every word is written folded: lower case, without accents or umlauts ("Österreicher" as
"osterreicher"), so it matches however the visitor typed it.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Openings of a message that are no part of a name: "Hallo", "Servus", "Hola", "Bonjour".
GREETINGS = (
    "hi", "hello", "hey", "hallo", "servus", "gruss gott", "gruess gott", "gruezi", "grueezi", "gruetzi", "moin",
    "moin moin", "guten tag", "guten morgen", "guten abend", "tag", "hola", "buenos dias", "buen dia", "buenas tardes",
    "buenas noches", "buenas", "que tal", "bonjour", "bonsoir", "salut", "allo", "coucou", "rebonjour",
)  # fmt: skip

#: Capitalised words no one is named: pronouns and articles (German capitalises "Sie" and "Ihr",
#: and every noun: "ich bin Kunde", "ich bin der Meinung"), what a visitor is to us ("Cliente",
#: "Client"), and where they are from ("soy Mexicano", "je suis Belge").
NOT_NAME_WORDS = _words(
    """
    sie ihr ihre ihrer ihren ihnen ihrem euch euer eure du dich dir wir uns unser unsere unserer
    der die das dem den des ein eine einer einen einem kein keine
    kunde kundin kunden neukunde neukundin bestandskunde bestandskundin interessent interessentin interessiert
    mitglied teil fan anfanger anfaenger chef chefin boss ansprechpartner ansprechpartnerin meinung ansicht
    uberzeugung ueberzeugung suche auffassung hier neu privat
    deutsch deutscher deutsche osterreicher oesterreicher osterreicherin schweizer schweizerin
    usted ustedes el la los las un una uno lo tu yo nosotros
    cliente clientes usuario usuaria nuevo nueva interesado interesada
    mexicano mexicana peruano peruana colombiano colombiana argentino argentina chileno chilena espanol espanola
    venezolano venezolana ecuatoriano ecuatoriana uruguayo uruguaya boliviano boliviana
    vous nous moi toi il elle le les une des du
    client interesse interessee nouveau nouvelle utilisateur utilisatrice
    francais francaise belge suisse canadien canadienne quebecois quebecoise luxembourgeois luxembourgeoise
    """
)

#: Words a company's name does not begin with: the parts of a company ("Directora de Ventas de
#: Acme" is a director of sales, at Acme) and the people spoken to ("bei Ihnen").
NOT_COMPANY_WORDS = _words(
    """
    ihnen euch ihr ihrer ihrem uns unserer unserem mir dir sie
    usted ustedes nosotros vous nous moi
    vertrieb verkauf marketing einkauf it personal finanzen buchhaltung produkt entwicklung technik support
    ventas marketing compras recursos operaciones finanzas producto ingenieria tecnologia sistemas ti soporte
    comercial logistica administracion desarrollo
    ventes achats ressources operations finance produit ingenierie technique informatique systemes
    developpement logistique administration communication
    rh hr rrhh drh daf dsi
    """
)
