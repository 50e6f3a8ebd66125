#pragma once

#include "commanderror.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>

namespace rd {

// Everything the CLI prints: aligned tables and "Label: value" records for people, or JSON on
// stdout with --json. Errors go to stderr in the same two forms.
class Output
{
    Q_DECLARE_TR_FUNCTIONS(Output)

public:
    struct Column
    {
        QString key;    // the JSON member
        QString header; // translated, for the table
    };

    explicit Output(bool json) : m_json(json) {}
    bool isJson() const { return m_json; }

    void list(const QList<Column> &columns, const QJsonArray &rows) const;
    void record(const QList<Column> &columns, const QJsonObject &object) const;
    // A change was made: the message for people, the object for scripts.
    void done(const QString &message, const QJsonObject &object) const;
    void text(const QString &text) const;
    void error(const CommandError &failure) const;

    static QString display(const QJsonValue &value);

private:
    bool m_json = false;
};

} // namespace rd
