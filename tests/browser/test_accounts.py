import pytest
from playwright.sync_api import expect

# serialized_rollback also makes pytest-django snapshot the migrated database at set-up,
# which the browser conftest restores before every journey.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "a-long-unusual-passphrase"


def test_visitor_signs_up_uploads_an_avatar_logs_out_and_back_in(new_page, screenshot, image_bytes):
    page = new_page()
    page.goto("/")
    account_nav = page.get_by_role("navigation", name="Account")

    account_nav.get_by_role("link", name="Sign up").click()
    page.fill("#id_username", "newcomer")
    page.fill("#id_email", "newcomer@example.com")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.check("#id_accept_terms")
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url("/")
    expect(page.locator(".messages")).to_contain_text("Welcome to Newsroom, newcomer")
    expect(account_nav.locator("span.avatar")).to_have_text("N")
    account_nav.get_by_role("link", name="newcomer").click()
    expect(page.locator("h1")).to_have_text("newcomer")
    screenshot(page, "profile")

    page.get_by_role("link", name="Edit your name, avatar or password").click()
    page.set_input_files(
        "#id_avatar",
        {"name": "me.png", "mimeType": "image/png", "buffer": image_bytes("PNG", (400, 300))},
    )
    page.get_by_role("button", name="Upload avatar").click()
    expect(page.locator(".messages")).to_contain_text("Your new avatar is in place")
    header_avatar = account_nav.locator("img.avatar")
    expect(header_avatar).to_be_visible()
    # Visible is not loaded: wait for the picture to arrive before measuring it.
    page.wait_for_function("img => img.complete", arg=header_avatar.element_handle())
    assert header_avatar.evaluate("img => img.complete && img.naturalWidth") == 128
    screenshot(page, "account-settings")

    account_nav.get_by_role("button", name="Log out").click()
    expect(account_nav.get_by_role("link", name="Log in")).to_be_visible()
    expect(header_avatar).to_have_count(0)

    account_nav.get_by_role("link", name="Log in").click()
    page.fill("#id_username", "NewComer")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url("/")
    expect(account_nav.locator("img.avatar")).to_be_visible()
    expect(account_nav.get_by_role("button", name="Log out")).to_be_visible()
