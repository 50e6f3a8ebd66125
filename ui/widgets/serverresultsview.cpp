#include "serverresultsview.h"

#include <QHeaderView>
#include <QPlainTextEdit>
#include <QTableWidget>

namespace rd {

ServerResultsView::ServerResultsView(const QString &tableName, const QStringList &headers, int rows,
                                     const QString &detailsPlaceholder, QWidget *parent)
    : QSplitter(Qt::Vertical, parent), m_table(new QTableWidget(rows, int(headers.size()))),
      m_details(new QPlainTextEdit)
{
    m_table->setObjectName(tableName);
    m_table->setHorizontalHeaderLabels(headers);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setShowGrid(false);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setHighlightSections(false);
    for (int row = 0; row < rows; ++row)
        for (int column = 0; column < headers.size(); ++column)
            m_table->setItem(row, column, new QTableWidgetItem);

    m_details->setObjectName(QStringLiteral("detailsEdit"));
    m_details->setReadOnly(true);
    m_details->setPlaceholderText(detailsPlaceholder);

    addWidget(m_table);
    addWidget(m_details);
    setStretchFactor(0, 3);
    setStretchFactor(1, 1);
    setChildrenCollapsible(false);
}

} // namespace rd
