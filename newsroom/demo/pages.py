"""Demo text for the standing pages (editors replace it in the admin)."""

from pages.models import Page

VERSION = "2026-12-01"

GUIDELINES = """\
Our comments are for conversation about our journalism. To keep them worth reading:

- **Be civil.** Argue with ideas, not people. No harassment, threats, slurs or personal attacks.
- **Stay on topic.** Comments should be about the article they sit under.
- **Be yourself.** Don't pass yourself off as someone else, including our staff or authors.
  Names that look like another reader's or a journalist's are refused.
- **Respect privacy.** Don't post anyone's personal information: addresses, phone numbers,
  e-mail addresses, or private details about people who are not public figures.
- **No spam.** No advertising, repeated posts or links to unrelated sites.

Moderators hide comments that break these guidelines, and may hold a reader's comments for
review or bar them from commenting for a time. A hidden comment's author still sees it, with
the reason. If you see a comment that breaks these guidelines, use its **Report** link.
"""

PRIVACY = """\
This notice explains what we keep about you when you read and comment, and your rights.

## What we keep

- **Your account:** username, e-mail address, an optional name and picture, when you signed
  up, last logged in, and which version of our terms you accepted.
- **What you write:** your comments, and the reports you make about other comments.
- **Network addresses:** only to stop abuse (password guessing, floods of sign-ups), for the
  period stated below.

We never sell your data and no third party sees your e-mail address.

## Your rights

- **See and take your data:** your settings page has a *Download your data* link, which gives
  you everything above as a JSON file.
- **Correct it:** change your name, picture and e-mail address on your settings page.
- **Delete it:** your settings page has *Delete your account*. We erase your e-mail address,
  name and picture. Your comments are removed, except those other readers replied to, which
  stay as empty "Deleted reader" placeholders so conversations still make sense.
- **Complain:** write to our data protection officer at privacy@example.com, or to your
  data protection authority.
"""

TERMS = """\
By creating an account you agree to these terms.

1. You must be at least 16 years old.
2. You are responsible for what you post. Follow our community guidelines.
3. You keep the rights to your comments and give us permission to publish them on this site,
   alongside our articles, for as long as they stay up.
4. We may hide comments and suspend accounts that break our guidelines.
5. You can delete your account at any time from your settings page.
"""

PAGES = [
    (Page.Kind.GUIDELINES, "Community guidelines", GUIDELINES),
    (Page.Kind.PRIVACY, "Privacy notice", PRIVACY),
    (Page.Kind.TERMS, "Terms of use", TERMS),
]


def seed() -> None:
    for kind, title, body in PAGES:
        Page.objects.get_or_create(
            kind=kind, defaults={"title": title, "body": body, "version": VERSION}
        )
