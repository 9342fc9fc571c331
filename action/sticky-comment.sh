#!/usr/bin/env bash
# Create or update THE scorecard comment of a pull request: one comment per pull request (and site),
# found by a hidden marker on its first line and edited in place, so a pull request that is pushed
# to ten times has one comment showing the latest diff.
#
# usage: sticky-comment.sh PR_NUMBER DIFF_FILE [SITE_DIRECTORY]
# needs: gh, GH_TOKEN (pull-requests: write), GITHUB_REPOSITORY; COMMENT_AUTHOR (default
# github-actions[bot]) is whose comment may be edited: a comment by someone else that quotes the
# marker is left alone.
set -euo pipefail
pr="$1"
file="$2"
site="$(printf '%s' "${3:-.}" | tr -c 'A-Za-z0-9._/-' '_')"
author="${COMMENT_AUTHOR:-github-actions[bot]}"
case "$pr" in '' | *[!0-9]*) echo "sticky-comment.sh: '$pr' is not a pull-request number" >&2; exit 2 ;; esac
case "$author" in *[!A-Za-z0-9_.\[\]-]*) echo "sticky-comment.sh: bad COMMENT_AUTHOR" >&2; exit 2 ;; esac

marker="<!-- scorecard-diff site=$site -->"
body="$(mktemp)"
trap 'rm -f "$body"' EXIT
{ printf '%s\n' "$marker"; cat "$file"; } > "$body"

id="$(gh api --paginate "repos/$GITHUB_REPOSITORY/issues/$pr/comments" \
  --jq ".[] | select(.user.login == \"$author\" and (.body | startswith(\"$marker\"))) | .id" | head -n 1)"
if [ -n "$id" ]; then
  gh api --silent --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$id" -F "body=@$body"
  echo "Updated the scorecard comment on pull request #$pr."
else
  gh api --silent --method POST "repos/$GITHUB_REPOSITORY/issues/$pr/comments" -F "body=@$body"
  echo "Commented on pull request #$pr."
fi
