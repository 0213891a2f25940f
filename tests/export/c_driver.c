/* The C export's test driver: reads rows from stdin (tab-separated: the numeric features, "nan"
 * for a missing one, then the text columns), calls model_predict on each, and prints
 * "class,output,output,..." per row (class 0 for regression). Compile with -DREAL=float or
 * -DREAL=double, beside the exported model.c and model.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

static char *next_field(char **p) {
    char *start = *p, *tab = strchr(start, '\t');
    if (tab) {
        *tab = '\0';
        *p = tab + 1;
    } else {
        *p = start + strlen(start);
    }
    return start;
}

int main(void) {
    static char line[1 << 20];
    while (fgets(line, sizeof line, stdin)) {
        REAL features[MODEL_FEATURES + 1], outputs[MODEL_OUTPUTS];
        const char *categories[MODEL_CATEGORIES + 1];
        char *p = line;
        int i, c;
        line[strcspn(line, "\r\n")] = '\0';
        for (i = 0; i < MODEL_FEATURES; ++i) features[i] = (REAL)strtod(next_field(&p), NULL);
        for (i = 0; i < MODEL_CATEGORIES; ++i) categories[i] = next_field(&p);
        (void)categories;
#if MODEL_CATEGORIES
        c = model_predict(features, categories, outputs);
#else
        c = model_predict(features, outputs);
#endif
        printf("%d", c);
        for (i = 0; i < MODEL_OUTPUTS; ++i) printf(",%.17g", (double)outputs[i]);
        putchar('\n');
    }
    return 0;
}
