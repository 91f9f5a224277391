"""The account: the address book and the account information."""

from __future__ import annotations

from webarena_gym.sandbox.shopping.tasks.common import SHOP, _emma, _js, _ShopTemplate
from webarena_gym.sandbox.store import vocab
from webarena_gym.sandbox.store.generate import DEFAULT_CUSTOMER_PASSWORD
from webarena_gym.sandbox.templates.base import (
    EditTemplate,
    Sample,
    act,
    click,
    expect_text,
    finish,
    html_check,
    select,
    type_text,
)
from webarena_gym.sandbox.templates.page import OracleError, Page, normalize_space


class AddAddress(_ShopTemplate, EditTemplate):
    """Add an address to the address book (address form)."""

    id = "shopping/add_address"
    intent_template = ("Add a new address to my address book: {{street}}, {{city}}, {{state}} "
                       "{{zip}}, phone number {{phone}}.")
    difficulty = "hard"

    def sample(self, rng, db):
        city, state, zip3, area = rng.choice(vocab.CITIES)
        street = f"{rng.randint(10, 9899)} {rng.choice(vocab.STREET_NAMES)}"
        postcode = f"{zip3}{rng.randint(1, 99):02d}"
        phone = f"{area}-555-{rng.randint(100, 9999):04d}"
        taken = db.execute("SELECT 1 FROM addresses WHERE customer_id = ? AND street = ?",
                           (_emma(db), street)).fetchone()
        if taken:
            return None
        return Sample({"street": street, "city": city, "state": state, "zip": postcode,
                       "phone": phone})

    def checks(self, sample):
        p = sample.params
        locator = ("[...document.querySelectorAll('#additional-addresses-table tr')]"
                   f".filter(r => r.innerText.includes({_js(p['street'])}))"
                   ".map(r => r.innerText).join(' | ')")
        return [html_check(f"{SHOP}/customer/address/", locator,
                           must_include=[p["street"], p["city"], p["state"], p["zip"],
                                         p["phone"]])]

    def steps(self, sample, page):
        p = sample.params
        page = yield act(click(page.link("My Account", exact=True)), "Addresses are kept under "
                         "My Account.")
        page = yield act(click(page.link("Address Book", exact=True)), "Open the Address Book.")
        page = yield act(click(page.link("Add New Address")), "Add a new address.")
        for field, key, what in (("telephone", "phone", "phone number"),
                                 ("street", "street", "street address"), ("city", "city", "city"),
                                 ("postcode", "zip", "zip code")):
            page = yield act(type_text(page.field(field), p[key]), f"Enter the {what} {p[key]}.")
        page = yield act(select(page.field("region"), p["state"]),
                         f"Choose the state {p['state']}.")
        page = yield act(click(page.button("Save Address")), "Save the address.")
        expect_text(page, "You saved the address")
        yield finish("The new address is in the address book.")


class ChangeAddressPhone(_ShopTemplate, EditTemplate):
    """Change the phone number of one of my addresses (address form)."""

    id = "shopping/change_address_phone"
    intent_template = "Change the phone number of my {{city}} address to {{phone}}."
    difficulty = "medium"

    def sample(self, rng, db):
        rows = db.execute("SELECT * FROM addresses WHERE customer_id = ? ORDER BY id",
                          (_emma(db),)).fetchall()
        row = rng.choice(rows)
        if [r["city"] for r in rows].count(row["city"]) > 1:
            return None
        phone = f"{row['phone'][:3]}-555-{rng.randint(100, 9999):04d}"
        if phone == row["phone"]:
            return None
        return Sample({"city": row["city"], "phone": phone},
                      {"old": row["phone"], "default": bool(row["is_default_billing"]
                                                            or row["is_default_shipping"])})

    def checks(self, sample):
        city = sample.params["city"]
        locator = ("[...document.querySelectorAll('.column.main address, "
                   "#additional-addresses-table tr')]"
                   f".filter(e => e.innerText.includes({_js(city)}))"
                   ".map(e => e.innerText).join(' | ')")
        return [html_check(f"{SHOP}/customer/address/", locator,
                           must_include=[city, sample.params["phone"]],
                           must_exclude=[sample.truth["old"]])]

    def steps(self, sample, page):
        city, phone = sample.params["city"], sample.params["phone"]
        page = yield act(click(page.link("My Account", exact=True)), "Addresses are kept under "
                         "My Account.")
        page = yield act(click(page.link("Address Book", exact=True)), "Open the Address Book.")
        edit = _address_edit_link(page, city)
        page = yield act(click(edit), f"Edit the {city} address.")
        page = yield act(type_text(page.field("telephone"), phone), f"Enter the phone {phone}.")
        page = yield act(click(page.button("Save Address")), "Save the address.")
        expect_text(page, "You saved the address")
        yield finish(f"The {city} address now has the phone number {phone}.")


def _address_edit_link(page: Page, city: str) -> str:
    """The edit link of the address (a default box or a table row) in ``city``."""
    for row in page.root.iter("tr"):
        cells = [normalize_space(c.text_content()) for c in row if c.tag == "td"]
        if city in cells:
            return next(str(a.get("id")) for a in row.iter("a") if a.get("id") is not None
                        and normalize_space(a.text_content()) == "Edit")
    for address in page.root.iter("address"):
        if city in normalize_space(address.text_content()):
            link = address.getnext()
            while link is not None and not (link.tag == "a" and link.get("id") is not None):
                link = link.getnext()
            if link is not None:
                return str(link.get("id"))
    raise OracleError(f"no address in {city} on {page.url}")


class ChangeEmail(_ShopTemplate, EditTemplate):
    """Change the account's email (account information form, with the current password)."""

    id = "shopping/change_email"
    intent_template = ("Change the email address of my account to {{email}}. My current "
                       "password is {{password}}.")
    difficulty = "medium"
    unseen = True

    def sample(self, rng, db):
        first = rng.choice(("emma", "emma.l", "e.lopez", "emmalopez", "lopez.emma"))
        email = f"{first}{rng.randint(1, 99)}@{rng.choice(vocab.EMAIL_DOMAINS)}"
        if db.execute("SELECT 1 FROM customers WHERE lower(email) = ?", (email,)).fetchone():
            return None
        old = db.execute("SELECT email FROM customers WHERE id = ?", (_emma(db),)).fetchone()[0]
        return Sample({"email": email, "password": DEFAULT_CUSTOMER_PASSWORD}, {"old": old})

    def checks(self, sample):
        return [html_check(
            f"{SHOP}/customer/account/",
            "document.querySelector('.box-information .box-content').outerText",
            must_include=[sample.params["email"]], must_exclude=[sample.truth["old"]])]

    def steps(self, sample, page):
        email = sample.params["email"]
        page = yield act(click(page.link("My Account", exact=True)), "Open My Account.")
        page = yield act(click(page.link("Account Information", exact=True)),
                         "The email is edited under Account Information.")
        page = yield act(type_text(page.field("email"), email), f"Enter the new email {email}.")
        page = yield act(type_text(page.field("current_password"), sample.params["password"]),
                         "Changing the email needs the current password.")
        page = yield act(click(page.button("Save")), "Save the account information.")
        expect_text(page, "You saved the account information")
        yield finish(f"The account's email is now {email}.")
