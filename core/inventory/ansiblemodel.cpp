#include "ansiblemodel.h"

#include "ansibleinventory.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace rd::ansible {

Error lineError(int line, const QString &message, const QString &hint)
{
    return Error{AnsibleInventory::tr("Line %1: %2").arg(line).arg(message),
                 hint.isEmpty() ? AnsibleInventory::tr("Correct the inventory file and import it again.")
                                : hint,
                 QStringLiteral("line %1").arg(line)};
}

std::optional<Error> Model::overLimits(int line) const
{
    if (hosts.size() > MaxHosts)
        return lineError(line, AnsibleInventory::tr("the inventory names more than %1 hosts.").arg(MaxHosts),
                         AnsibleInventory::tr("Split the inventory and import the parts one after another."));
    if (groups.size() > MaxGroups)
        return lineError(line,
                         AnsibleInventory::tr("the inventory names more than %1 groups.").arg(MaxGroups),
                         AnsibleInventory::tr("Split the inventory and import the parts one after another."));
    return std::nullopt;
}

bool isTrue(const QVariant &value)
{
    return !QStringList{QStringLiteral("false"), QStringLiteral("no"), QStringLiteral("0")}.contains(
        value.toString().toLower());
}

QString text(const QVariant &value)
{
    return value.typeId() == QMetaType::QString ? value.toString() : QString();
}

QStringList list(const QVariant &value)
{
    if (value.typeId() == QMetaType::QStringList)
        return value.toStringList();
    const QString written = text(value).trimmed();
    if (written.startsWith(u'[')) {
        QStringList items;
        for (const QJsonValue &item : QJsonDocument::fromJson(written.toUtf8()).array())
            items.append(item.toString());
        return items;
    }
    QStringList items;
    for (const QString &item : written.split(u',', Qt::SkipEmptyParts))
        items.append(item.trimmed());
    return items;
}

Result<QStringList> expandRanges(const QString &pattern, int line)
{
    static const QRegularExpression range(
        QStringLiteral("\\[([0-9]+|[a-zA-Z]):([0-9]+|[a-zA-Z])(?::([0-9]+))?\\]"));
    const auto match = range.match(pattern);
    if (!match.hasMatch()) {
        if (pattern.contains(u'[') || pattern.contains(u']'))
            return std::unexpected(
                lineError(line, AnsibleInventory::tr("the host range in \"%1\" is not valid.").arg(pattern),
                          AnsibleInventory::tr("Write ranges like web[01:10] or db-[a:f].")));
        return QStringList{pattern};
    }
    const QString head = pattern.left(match.capturedStart());
    const QString begin = match.captured(1);
    const QString end = match.captured(2);
    const int step = match.captured(3).isEmpty() ? 1 : match.captured(3).toInt();
    auto rest = expandRanges(pattern.mid(match.capturedEnd()), line);
    if (!rest)
        return rest;
    QStringList names;
    // One range may hold up to 100,000 names and a whole pattern as many: a typo must not hang the import.
    constexpr qsizetype MaxNames = 100000;
    if (step < 1 || step > MaxNames)
        return std::unexpected(lineError(
            line, AnsibleInventory::tr("the step of the host range in \"%1\" is not valid.").arg(pattern),
            AnsibleInventory::tr("Write ranges like web[01:10] or db-[a:f].")));
    const bool numeric = begin.front().isDigit() && end.front().isDigit();
    if (numeric) {
        const int from = begin.toInt();
        const int to = end.toInt();
        const int width = begin.size() > 1 && begin.startsWith(u'0') ? int(begin.size()) : 0;
        if (from > to || step < 1 || to - from > 100000)
            return std::unexpected(lineError(
                line, AnsibleInventory::tr("the host range in \"%1\" is empty or too large.").arg(pattern)));
        if ((qint64(to - from) / step + 1) * rest->size() > MaxNames)
            return std::unexpected(lineError(
                line, AnsibleInventory::tr("the host range in \"%1\" is empty or too large.").arg(pattern)));
        for (int i = from; i <= to; i += step)
            for (const QString &tail : *rest)
                names.append(head + QStringLiteral("%1").arg(i, width, 10, QLatin1Char('0')) + tail);
    } else if (!begin.front().isDigit() && !end.front().isDigit() && begin <= end && step >= 1) {
        if (qint64((end.front().unicode() - begin.front().unicode()) / step + 1) * rest->size() > MaxNames)
            return std::unexpected(lineError(
                line, AnsibleInventory::tr("the host range in \"%1\" is empty or too large.").arg(pattern)));
        for (int c = begin.front().unicode(); c <= end.front().unicode(); c += step)
            for (const QString &tail : *rest)
                names.append(head + QChar(char16_t(c)) + tail);
    } else {
        return std::unexpected(
            lineError(line, AnsibleInventory::tr("the host range in \"%1\" is not valid.").arg(pattern),
                      AnsibleInventory::tr("Write ranges like web[01:10] or db-[a:f].")));
    }
    return names;
}

} // namespace rd::ansible
