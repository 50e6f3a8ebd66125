#include "versionid.h"

#include <QRegularExpression>
#include <QStringList>

#include <limits>

namespace rd {

namespace {

const QString TimeFormat = QStringLiteral("yyyyMMddHHmmss");

} // namespace

QString VersionId::toString() const
{
    return project + QStringLiteral("-v") + QString::number(number) + u'-' + time.toUTC().toString(TimeFormat);
}

VersionId VersionId::make(const QString &project, int number, const QDateTime &when)
{
    const QDateTime utc = when.toUTC();
    const QTime wholeSeconds(utc.time().hour(), utc.time().minute(), utc.time().second());
    return VersionId{project, number, QDateTime(utc.date(), wholeSeconds, Qt::UTC)};
}

std::optional<VersionId> VersionId::parse(const QString &text)
{
    static const QRegularExpression shape(
        QStringLiteral("^([A-Za-z0-9][A-Za-z0-9._-]{0,63})-v([1-9][0-9]{0,9})-([0-9]{14})\\z"));
    const auto match = shape.match(text);
    bool numberFits = false;
    const int number = match.hasMatch() ? match.captured(2).toInt(&numberFits) : 0;
    if (!numberFits)
        return std::nullopt;
    QDateTime time = QDateTime::fromString(match.captured(3), TimeFormat);
    if (!time.isValid())
        return std::nullopt;
    time.setTimeSpec(Qt::UTC);
    return VersionId{match.captured(1), number, time};
}

int VersionId::nextNumber(const QStringList &existing, const QString &project)
{
    int highest = 0;
    for (const QString &text : existing) {
        if (const auto id = parse(text); id && id->project == project)
            highest = qMax(highest, id->number);
    }
    // The id's time tells two releases apart once the count can grow no more.
    return highest == std::numeric_limits<int>::max() ? highest : highest + 1;
}

} // namespace rd
