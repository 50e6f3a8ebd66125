#pragma once

#include <QList>
#include <QStyledItemDelegate>

namespace rd {

// Paints one log line: a gutter mark for standard error (a shape, not only a colour), the time
// stamp dimmed, the text in the line's colour, and every occurrence of the search text highlighted.
// Without wrapping all rows are one line high, so a view can use uniform item sizes.
class LogLineDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    struct Match
    {
        int start;
        int length;
        bool operator==(const Match &) const = default;
    };

    using QStyledItemDelegate::QStyledItemDelegate;

    void setSearch(const QString &text, Qt::CaseSensitivity cs);
    QString searchText() const { return m_search; }
    // Wrapping lays lines out to this width (the viewport's); 0 turns wrapping off.
    void setWrapWidth(int width) { m_wrapWidth = width; }
    int wrapWidth() const { return m_wrapWidth; }

    // Where the search text occurs in the row's text (TextRole), as painted.
    QList<Match> matches(const QModelIndex &index) const;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    int gutterWidth(const QFontMetrics &metrics) const;

    QString m_search;
    Qt::CaseSensitivity m_cs = Qt::CaseInsensitive;
    int m_wrapWidth = 0;
};

} // namespace rd
