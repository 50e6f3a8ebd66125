#include "output.h"

#include <QJsonDocument>
#include <QTextStream>

namespace rd {

namespace {

void writeJson(FILE *stream, const QJsonDocument &document)
{
    QTextStream out(stream);
    out << QString::fromUtf8(document.toJson(QJsonDocument::Indented));
}

} // namespace

QString Output::display(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Bool:
        return value.toBool() ? tr("yes") : tr("no");
    case QJsonValue::Double:
        return QString::number(value.toDouble(), 'g', 6);
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Array: {
        QStringList parts;
        for (const QJsonValue &item : value.toArray())
            parts.append(display(item));
        return parts.join(QStringLiteral(", "));
    }
    default:
        return QString();
    }
}

namespace {

// Terminal columns a text takes: CJK and full-width characters take two, so Chinese headers align.
qsizetype displayWidth(const QString &text)
{
    qsizetype width = 0;
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        const bool wide = (u >= 0x1100 && u <= 0x115F) || (u >= 0x2E80 && u <= 0xA4CF) || (u >= 0xAC00 && u <= 0xD7A3)
                          || (u >= 0xF900 && u <= 0xFAFF) || (u >= 0xFE30 && u <= 0xFE4F) || (u >= 0xFF00 && u <= 0xFF60)
                          || (u >= 0xFFE0 && u <= 0xFFE6);
        width += wide ? 2 : 1;
    }
    return width;
}

QString padded(const QString &text, qsizetype width)
{
    return text + QString(qMax<qsizetype>(0, width - displayWidth(text)), u' ');
}

} // namespace

void Output::list(const QList<Column> &columns, const QJsonArray &rows) const
{
    if (m_json) {
        writeJson(stdout, QJsonDocument(rows));
        return;
    }
    QList<qsizetype> widths;
    for (const Column &column : columns)
        widths.append(displayWidth(column.header));
    QList<QStringList> cells;
    for (const QJsonValue &row : rows) {
        QStringList line;
        for (qsizetype i = 0; i < columns.size(); ++i) {
            // One table row per entry: multi-line values (notes, scripts) are shown flattened.
            QString cell = display(row.toObject().value(columns[i].key)).simplified();
            widths[i] = qMax(widths[i], displayWidth(cell));
            line.append(cell);
        }
        cells.append(line);
    }
    QTextStream out(stdout);
    auto writeLine = [&](const QStringList &line) {
        QString text;
        for (qsizetype i = 0; i < line.size(); ++i)
            text += i + 1 < line.size() ? padded(line[i], widths[i] + 2) : line[i];
        out << text.trimmed() << u'\n';
    };
    QStringList headers;
    for (const Column &column : columns)
        headers.append(column.header);
    writeLine(headers);
    for (const QStringList &line : cells)
        writeLine(line);
}

void Output::record(const QList<Column> &columns, const QJsonObject &object) const
{
    if (m_json) {
        writeJson(stdout, QJsonDocument(object));
        return;
    }
    qsizetype width = 0;
    for (const Column &column : columns)
        width = qMax(width, displayWidth(column.header) + 1);
    QTextStream out(stdout);
    for (const Column &column : columns) {
        const QString value = display(object.value(column.key));
        const QStringList lines = value.split(u'\n');
        out << (padded(column.header + u':', width + 1) + lines.first()).trimmed() << u'\n';
        for (qsizetype i = 1; i < lines.size(); ++i)
            out << QString(width + 1, u' ') << lines[i] << u'\n';
    }
}

void Output::done(const QString &message, const QJsonObject &object) const
{
    if (m_json)
        writeJson(stdout, QJsonDocument(object));
    else
        QTextStream(stdout) << message << u'\n';
}

void Output::text(const QString &text) const
{
    QTextStream(stdout) << text << (text.endsWith(u'\n') ? QString() : QStringLiteral("\n"));
}

void Output::error(const CommandError &failure) const
{
    if (m_json) {
        QJsonObject object{{QStringLiteral("error"), failure.error.message},
                           {QStringLiteral("hint"), failure.error.hint},
                           {QStringLiteral("field"), failure.error.field},
                           {QStringLiteral("exitCode"), int(failure.code)}};
        writeJson(stderr, QJsonDocument(object));
        return;
    }
    QTextStream err(stderr);
    err << QStringLiteral("releasedesk-cli: ") << failure.error.message << u'\n';
    if (!failure.error.hint.isEmpty())
        err << QStringLiteral("  ") << failure.error.hint << u'\n';
}

} // namespace rd
