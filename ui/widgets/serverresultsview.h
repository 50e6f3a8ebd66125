#pragma once

#include <QSplitter>
#include <QStringList>

class QPlainTextEdit;
class QTableWidget;

namespace rd {

// One row per server above a read-only pane for the selected row's whole text: the body of the
// connection check and of the host-key scan.
class ServerResultsView : public QSplitter
{
    Q_OBJECT

public:
    ServerResultsView(const QString &tableName, const QStringList &headers, int rows,
                      const QString &detailsPlaceholder, QWidget *parent = nullptr);

    QTableWidget *table() const { return m_table; }
    QPlainTextEdit *details() const { return m_details; }

private:
    QTableWidget *m_table;
    QPlainTextEdit *m_details;
};

} // namespace rd
