"""Static reference data of the sandbox: enums from the Wish v3 spec, carriers, addresses."""

from __future__ import annotations

from typing import Any

_COUNTRY_TEXT = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRY_CODES = frozenset(_COUNTRY_TEXT.split())

DEFAULT_SCOPES = (
    "merchant:read",
    "orders:read",
    "orders:write",
    "products:read",
    "products:write",
)

PRODUCT_STATES = (
    "ACTIVE",
    "WISH_INACTIVE",
    "MERCHANT_INACTIVE",
    "REMOVED_BY_WISH",
    "REMOVED_BY_MERCHANT",
)
PRODUCT_STATUSES = (
    "PENDING_REVIEW",
    "APPROVED",
    "REJECTED",
    "REMOVED_BY_WISH",
    "REMOVED_BY_MERCHANT",
)
CONDITIONS = ("NEW", "USED", "REFURBISHED")
_UNIT_TEXT = """
    OUNCE POUND MILLIGRAM GRAM KILOGRAM FLUID_OUNCE PINT QUART GALLON MILLILITER CENTILITER LITER
    CUBICMETER INCH FOOT YARD CENTIMETER METER SQUARE_FOOT SQUARE_METER COUNT LOAD WASH ROLL POD
"""
UNITS = tuple(_UNIT_TEXT.split())
WARNING_TYPES = (
    "CHEMICAL",
    "FOOD",
    "FURNITURE",
    "ON_PRODUCT_CANCER",
    "ON_PRODUCT_COMBINED_CANCER_REPRODUCTIVE",
    "ON_PRODUCT_REPRODUCTIVE",
    "RAW_WOOD",
    "DIESEL_ENGINE",
)
RESTRICTED_FLAGS = ("HAS_POWDER", "HAS_LIQUID", "HAS_BATTERY", "HAS_METAL")

ORDER_STATES = ("APPROVED", "SHIPPED", "REFUNDED", "REQUIRE_REVIEW", "DECLINED")
ORDER_TYPE_FILTERS = (
    "WISH_EXPRESS",
    "FULFILLED_BY_WISH",
    "FULFILLED_BY_STORE",
    "LESS_THAN_TRUCKLOAD",
    "ADVANCED_LOGISTICS",
    "WISH_PLUS",
)

REFUND_REASONS = (
    "UNABLE_TO_SHIP",
    "ITEM_RETURNED_TO_SENDER",
    "ITEM_IS_DAMAGED",
    "SHIPPING_TAKING_TOO_LONG",
    "ITEM_DOES_NOT_FIT",
    "RECEIVED_WRONG_ITEM",
    "ITEM_IS_COUNTERFEIT",
    "ITEM_DOES_NOT_WORK_AS_DESCRIBED",
    "ITEM_DOES_NOT_MATCH_LISTING",
    "ITEM_MARKED_DELIVERED_BUT_DID_NOT_ARRIVE",
    "MERCHANT_SENT_TO_WRONG_ADDRESS",
    "REPLACEMENT_NEVER_RECEIVED",
    "WRONG_COLOR",
    "ITEM_IS_POOR_QUALITY",
    "INCOMPLETE_ORDER",
    "MERCHANT_OUT_OF_STOCK",
    "EMPTY_PACKAGE",
    "PRODUCT_LISTING_MISSING_INFO",
    "ITEM_DID_NOT_MEET_EXPECTATIONS",
    "RECEIVED_NOTE_FROM_MERCHANT",
    "MERCHANT_REPORTED_ORDER",
    "MERCHANT_REPORTED_BUYER_FRAUD",
)

# Which refunds a merchant may start depends on where the order is (the spec says the valid
# reasons differ per order and change through its life); the sandbox's rule is this table.
REFUND_REASONS_BY_STATE: dict[str, tuple[str, ...]] = {
    "APPROVED": (
        "UNABLE_TO_SHIP",
        "MERCHANT_OUT_OF_STOCK",
        "INCOMPLETE_ORDER",
        "MERCHANT_REPORTED_BUYER_FRAUD",
    ),
    "SHIPPED": (
        "ITEM_RETURNED_TO_SENDER",
        "MERCHANT_SENT_TO_WRONG_ADDRESS",
        "ITEM_IS_DAMAGED",
        "RECEIVED_WRONG_ITEM",
        "EMPTY_PACKAGE",
        "MERCHANT_REPORTED_BUYER_FRAUD",
    ),
}

CARRIERS_GENERAL = (
    "4PX",
    "AnPost",
    "Aramex",
    "AustraliaPost",
    "BPost",
    "CanadaPost",
    "ChinaAirPost",
    "ChinaEMS",
    "ChinaPost",
    "CNE",
    "Correos",
    "DeutschePost",
    "DHL",
    "DHLeCommerce",
    "DPD",
    "EPacket",
    "Equick",
    "FedEx",
    "GLS",
    "HongKongPost",
    "JapanPost",
    "KoreaPost",
    "LaPoste",
    "PostNL",
    "PostNord",
    "PosteItaliane",
    "RoyalMail",
    "SFExpress",
    "SingaporePost",
    "SunYou",
    "SwissPost",
    "TNT",
    "UPS",
    "USPS",
    "WishPost",
    "YanWen",
    "YunExpress",
)
CARRIERS_CONFIRMED_DELIVERY = (
    "4PX",
    "AustraliaPost",
    "CanadaPost",
    "DHL",
    "DHLeCommerce",
    "DPD",
    "EPacket",
    "FedEx",
    "GLS",
    "LaPoste",
    "PostNL",
    "RoyalMail",
    "UPS",
    "USPS",
    "WishPost",
    "YanWen",
    "YunExpress",
)

REJECTION_REASONS = (
    "Prohibited item: the listing appears to sell a branded item without authorization.",
    "Misleading listing: the main image does not match the product name.",
    "Restricted item: the product requires documents that were not provided.",
)

SYNTHETIC_PRODUCTS = (
    ("Stainless Steel Water Bottle 750ml", "Silver", "750ml"),
    ("Wireless Earbuds with Charging Case", "Black", ""),
    ("Women's Summer Floral Dress", "Blue", "M"),
    ("LED Desk Lamp, Dimmable", "White", ""),
    ("Men's Running Shoes", "Grey", "42"),
    ("Silicone Phone Case", "Pink", "iPhone 13"),
)


def _address(
    name: str,
    street: str,
    city: str,
    state: str,
    zipcode: str,
    country_code: str,
    country: str,
    phone: str,
    phone_cc: str,
) -> dict[str, Any]:
    return {
        "name": name,
        "street_address1": street,
        "city": city,
        "state": state,
        "zipcode": zipcode,
        "country_code": country_code,
        "country": country,
        "phone_number": {"number": phone, "country_code": phone_cc},
    }


ADDRESSES: tuple[dict[str, Any], ...] = (
    _address(
        "Emily Carter",
        "1428 Elm Street",
        "Springfield",
        "IL",
        "62704",
        "US",
        "United States",
        "2175550143",
        "1",
    ),
    _address(
        "Marcus Reed",
        "77 Lakeshore Dr Apt 5B",
        "Austin",
        "TX",
        "78701",
        "US",
        "United States",
        "5125550178",
        "1",
    ),
    _address(
        "Olivia Bennett",
        "12 Kingsway",
        "Manchester",
        "Greater Manchester",
        "M19 2LL",
        "GB",
        "United Kingdom",
        "7700900123",
        "44",
    ),
    _address(
        "Jonas Weber",
        "Hauptstrasse 15",
        "Muenchen",
        "Bayern",
        "80331",
        "DE",
        "Germany",
        "15112345678",
        "49",
    ),
    _address(
        "Camille Martin",
        "8 Rue des Lilas",
        "Lyon",
        "Auvergne-Rhone-Alpes",
        "69003",
        "FR",
        "France",
        "612345678",
        "33",
    ),
    _address(
        "Liam Tremblay",
        "455 Rue Sainte-Catherine",
        "Montreal",
        "QC",
        "H3B 1A7",
        "CA",
        "Canada",
        "5145550199",
        "1",
    ),
    _address(
        "Chloe Nguyen",
        "21 Beach Road",
        "Bondi",
        "NSW",
        "2026",
        "AU",
        "Australia",
        "412345678",
        "61",
    ),
    _address(
        "Lucas Oliveira",
        "Rua das Flores 120",
        "Sao Paulo",
        "SP",
        "01310-100",
        "BR",
        "Brazil",
        "11987654321",
        "55",
    ),
    _address(
        "Sofia Hernandez",
        "Av. Insurgentes Sur 1602",
        "Ciudad de Mexico",
        "CDMX",
        "03940",
        "MX",
        "Mexico",
        "5512345678",
        "52",
    ),
    _address(
        "Pablo Garcia",
        "Calle Mayor 9",
        "Madrid",
        "Madrid",
        "28013",
        "ES",
        "Spain",
        "612345678",
        "34",
    ),
    _address(
        "Giulia Rossi",
        "Via Roma 44",
        "Milano",
        "MI",
        "20121",
        "IT",
        "Italy",
        "3123456789",
        "39",
    ),
    _address(
        "Erik Lindqvist",
        "Storgatan 3",
        "Stockholm",
        "Stockholm",
        "111 51",
        "SE",
        "Sweden",
        "701234567",
        "46",
    ),
)
