#pragma once

#include <QDateTime>
#include <QStringList>

#include <optional>

namespace rd {

// Release version ids as the seed names them: <project>-v<N>-<YYYYMMDDHHMMSS>, N counting up per
// environment. They name directories on the servers, so they stay within the strict name pattern.
struct VersionId
{
    QString project;
    int number = 0;
    QDateTime time; // UTC, whole seconds

    QString toString() const;
    static VersionId make(const QString &project, int number, const QDateTime &when);
    // Accepts only ids of exactly that shape; the project part may itself contain '-'.
    static std::optional<VersionId> parse(const QString &text);
    // The number the next release gets, given the ids already used in an environment.
    static int nextNumber(const QStringList &existing, const QString &project);
};

} // namespace rd
